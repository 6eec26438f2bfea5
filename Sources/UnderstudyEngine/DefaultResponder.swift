import UnderstudyGenerators
import UnderstudyModel

/// The answer Understudy gives when no scenario scripts one: useful for tests without being clever.
///
/// It quotes the last user text and says how much context it saw (so chaining is observable), calls the
/// first declared function with schema-valid arguments, uses function results when they come back, and
/// prefixes a thought block on thinking models. Capabilities of the guide (built-in tools, structured
/// output, media generation, agents) are added in extensions, one file each.
public struct DefaultResponder: Responder {
    public init() {}

    public func reply(to context: ResponseContext) async throws(APIError) -> Reply {
        let request = context.request
        if case .agent = request.target {
            return deepResearchReply(context)
        }
        let model = request.target.name
        if let media = try mediaGenerationReply(context) { return media }

        var body: [Content] = []
        var status = InteractionStatus.completed

        let results = context.functionResults
        let functionTools = request.tools.filter { $0.type == "function" }
        if context.functionResults.isEmpty, let mcp = await mcpReply(context) {
            if mcp.status == .failed { return mcp }
            body.append(contentsOf: mcp.outputs)
        } else if let computer = computerUseReply(context) {
            body.append(contentsOf: computer.outputs)
            status = computer.status
        } else if !results.isEmpty {
            body.append(.text(functionResultText(results, context: context)))
        } else if let call = plannedFunctionCalls(context, functionTools: functionTools), !call.isEmpty {
            body.append(contentsOf: call)
            status = .requiresAction
        } else {
            let tools = builtInToolBlocks(context)
            let answer = groundedText(context, tools: tools, base: answerText(context))
            // The live service sometimes put the text first (the guide's known issue); a switch reproduces it.
            body.append(contentsOf: context.builtinToolTextFirst ? [answer] + tools : tools + [answer])
        }
        if let structured = structuredOutput(context) {
            // The final text is the JSON document; tool blocks before it stay.
            if let last = body.lastIndex(where: { $0.type == "text" }), status == .completed {
                body[last] = .text(structured)
            }
        }

        var outputs: [Content] = []
        if let thought = thoughtBlock(context, model: model) { outputs.append(thought) }
        outputs.append(contentsOf: body)
        var reply = Reply(outputs: outputs, status: status)
        reply.scenario = nil
        return reply
    }

    // MARK: Text

    /// The default text answer: a quote of the last user text and a statement of the context seen.
    func answerText(_ context: ResponseContext) -> String {
        var parts: [String] = []
        let quote = context.lastUserText
        parts.append(quote.isEmpty ? "You sent no text." : "You said: \"\(quote)\"")
        let turns = context.history.count
        parts.append("I am Understudy's default reply for \(context.request.target.name) and saw \(turns) turn\(turns == 1 ? "" : "s") of context.")
        let attachments = (context.lastUserTurn?.content ?? []).filter(\.isMedia)
        if !attachments.isEmpty {
            parts.append("Attachments: " + attachments.map { MediaDescription.describe($0, files: context.files) }.joined(separator: "; ") + ".")
        }
        if let system = context.request.systemInstruction, !system.isEmpty {
            parts.append("System instruction: \"\(system)\".")
        }
        return parts.joined(separator: " ")
    }

    func functionResultText(_ results: [Content], context: ResponseContext) -> String {
        let described = results.map { r -> String in
            let name = r.name ?? context.callsAnswered.first { $0.id == r.callID }?.name ?? "the function"
            let value: String
            switch r.result {
            case .string(let s)?: value = s
            case let v?: value = v.jsonString
            case nil: value = ""
            }
            return "\(name) returned \(r.isError ? "an error: " : "")\"\(value)\""
        }
        return "Thanks. " + described.joined(separator: "; ") + "."
    }

    // MARK: Function calling

    /// The calls to make, or nil when no function should be called.
    func plannedFunctionCalls(_ context: ResponseContext, functionTools: [Tool]) -> [Content]? {
        guard !functionTools.isEmpty else { return nil }
        var candidates = functionTools
        switch context.request.generationConfig.toolChoice {
        case .mode(let m)? where m == "none": return nil
        case .allowed(let mode, let names)?:
            if mode == "none" { return nil }
            if !names.isEmpty { candidates = candidates.filter { names.contains($0.name ?? "") } }
        default: break
        }
        guard let tool = candidates.first, let name = tool.name else { return nil }
        let schema = tool.parameters ?? .object(["type": "object", "properties": .object([:])])
        let arguments = JSONSchemaInstance(seed: context.identity.seed, label: "\(context.label)|args|\(name)").instance(for: schema)
        let id = context.identity.shortID(8, context.label, "call", name)
        return [.functionCall(id: id, name: name, arguments: arguments.objectValue != nil ? arguments : .object([:]))]
    }

    // MARK: Thinking

    func thoughtBlock(_ context: ResponseContext, model: String) -> Content? {
        let config = context.request.generationConfig
        guard Catalog.thinksByDefault(model) || config.thinkingLevel != nil else { return nil }
        let level = config.thinkingLevel ?? "high"
        let summaries = (config.thinkingSummaries ?? "auto") != "none" && level != "minimal"
        var summary: [String] = []
        if summaries {
            let topic = context.lastUserText.isEmpty ? "the request" : "\"\(Self.clip(context.lastUserText, 80))\""
            summary.append("Considering \(topic) with \(level) thinking over \(context.history.count) turn\(context.history.count == 1 ? "" : "s") of context.")
        }
        // The signature is filled in once the outputs it covers are final.
        return .thought(signature: "", summary: summary)
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count > n ? String(s.prefix(n - 1)) + "…" : s }
}

/// How the responder describes a media block it received.
enum MediaDescription {
    static func describe(_ c: Content, files: [String: FileFacts] = [:]) -> String {
        var facts: [String] = []
        if let uri = c.uri, let file = files[uri] {
            facts.append(c.mimeType ?? file.mimeType)
            facts.append(file.name == uri ? "\(file.sizeBytes) bytes from \(uri)" : "\(file.sizeBytes) bytes, Files API \(file.name)")
            return "\(c.type) (\(facts.joined(separator: ", ")))"
        }
        if let mime = c.mimeType { facts.append(mime) }
        if let data = c.data {
            facts.append("\(Base64.decode(data)?.count ?? 0) bytes inline")
        } else if let uri = c.uri {
            facts.append("from \(uri)")
        }
        return "\(c.type)" + (facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))")
    }
}
