import Foundation
import Synchronization
import UnderstudyModel

/// The loaded scenarios, and everything that decides which one answers a request.
///
/// Matching rules (see scenarios/README.md): a request that continues a scripted conversation (its
/// `previous_interaction_id`, or a function call id in its history, was issued by a step) is answered by
/// that conversation's next step; otherwise the scenarios are tried in load order (those loaded for the
/// request's API key first) and the first whose `match` holds answers with its first step. The request
/// header `x-understudy-scenario: NAME` narrows the candidates to one scenario. Unmatched requests go to
/// the default responder, or, with strict scenarios, get an error naming the nearest misses.
public final class ScenarioBook: Sendable {
    public static let selectionHeader = "x-understudy-scenario"
    public static let violationType = "type.understudy.dev/ScenarioViolation"

    struct State {
        var scenarios: [Scenario] = []
        var strict = false
    }
    let state = Mutex(State())
    public let loader: ScenarioLoader

    public init(loader: ScenarioLoader = ScenarioLoader()) {
        self.loader = loader
    }

    // MARK: Managing

    /// Whether unmatched create requests are refused instead of answered by the default responder.
    public var strict: Bool {
        get { state.withLock { $0.strict } }
        set { state.withLock { $0.strict = newValue } }
    }

    /// Adds scenarios; one with the name (and tenant) of a loaded one replaces it.
    public func add(_ scenarios: [Scenario], tenant: String? = nil) {
        state.withLock { s in
            for var scenario in scenarios {
                scenario.tenant = tenant
                if let i = s.scenarios.firstIndex(where: { $0.name == scenario.name && $0.tenant == tenant }) {
                    s.scenarios[i] = scenario
                } else {
                    s.scenarios.append(scenario)
                }
            }
        }
    }

    /// Parses and adds scenarios from text (YAML or JSON); load problems become one 400 listing all.
    public func load(text: String, source: String, tenant: String? = nil) throws(APIError) -> [String] {
        do {
            let scenarios = try loader.load(text: text, source: source)
            add(scenarios, tenant: tenant)
            return scenarios.map(\.name)
        } catch {
            var e = APIError.invalidArgument("The scenarios could not be loaded (\(error.problems.count) problem(s)):\n" + error.description, field: "scenarios")
            e.details = error.problems.map {
                ["@type": "type.understudy.dev/ScenarioProblem", "file": .string($0.file), "line": .int(Int64($0.line)),
                 "column": .int(Int64($0.column)), "message": .string($0.message), "fix": $0.fix.map(JSONValue.string) ?? .null]
            }
            throw e
        }
    }

    public func summaries() -> [JSONValue] {
        state.withLock { s in
            s.scenarios.map { sc in
                var o: [String: JSONValue] = [
                    "name": .string(sc.name), "source": .string(sc.source),
                    "steps": .int(Int64(sc.steps.count)), "faults": .int(Int64(sc.faults.count)),
                ]
                if let d = sc.description { o["description"] = .string(d) }
                if let t = sc.tenant { o["tenant"] = .string(t) }
                return .object(o)
            }
        }
    }

    public func removeAll(tenant: String? = nil) {
        state.withLock { s in
            if let tenant { s.scenarios.removeAll { $0.tenant == tenant } } else { s.scenarios.removeAll() }
        }
    }

    @discardableResult
    public func remove(_ name: String, tenant: String? = nil) -> Bool {
        state.withLock { s in
            let before = s.scenarios.count
            s.scenarios.removeAll { $0.name == name && (tenant == nil || $0.tenant == tenant) }
            return s.scenarios.count != before
        }
    }

    /// The scenarios a request of `tenant` may use, tenant-specific ones first.
    func candidates(tenant: String, headers: [String: String]) throws(APIError) -> [Scenario] {
        let all = state.withLock { $0.scenarios }
        let visible = all.filter { $0.tenant == tenant } + all.filter { $0.tenant == nil }
        if let wanted = headers[Self.selectionHeader], !wanted.isEmpty {
            guard let chosen = visible.first(where: { $0.name == wanted }) else {
                let names = visible.map(\.name)
                throw APIError.invalidArgument(
                    "The header '\(Self.selectionHeader): \(wanted)' names no loaded scenario. Loaded: \(names.isEmpty ? "none" : names.joined(separator: ", ")).",
                    field: Self.selectionHeader)
            }
            return [chosen]
        }
        return visible.filter { !$0.explicit || $0.tenant == tenant }
    }

    // MARK: Faults

    /// The fault to inject for this request, if a scenario scripts one. `request` is nil except for creates.
    public func fault(route: Scenario.Fault.Route, tenant: Tenant, headers: [String: String], request: CreateRequest?) throws(APIError) -> ScenarioFault? {
        let candidates = try self.candidates(tenant: tenant.key, headers: headers)
        for scenario in candidates where !scenario.faults.isEmpty {
            if let request {
                let text = request.input.last { $0.role == .user }?.text ?? ""
                guard scenario.match.mismatches(request, lastUserText: text, headers: headers).isEmpty else { continue }
            } else {
                var headerOnly = Scenario.Matcher()
                headerOnly.headers = scenario.match.headers
                if !headerOnly.headers.isEmpty {
                    let unmet = headerOnly.headers.contains { headers[$0.key] != $0.value }
                    if unmet { continue }
                }
            }
            for (i, fault) in scenario.faults.enumerated() where fault.on == route || fault.on == .any {
                let count = tenant.state.withLock { s -> Int in
                    let key = "fault|\(scenario.name)|\(i)"
                    s.scenarioCounters[key, default: 0] += 1
                    return s.scenarioCounters[key]!
                }
                guard count > fault.skip, fault.times.map({ count <= fault.skip + $0 }) ?? true else { continue }
                return ScenarioFault(scenario: scenario.name, delayMillis: fault.latencyMillis, dropConnection: fault.dropConnection, error: fault.error)
            }
        }
        return nil
    }

    // MARK: Replies

    func reply(to context: ResponseContext, tenant: Tenant, engine: Engine) async throws(APIError) -> Reply? {
        let candidates = try self.candidates(tenant: tenant.key, headers: context.headers)
        if candidates.isEmpty { return nil }

        // 1. A continuation of a scripted conversation.
        if let link = continuation(of: context, tenant: tenant), let scenario = candidates.first(where: { $0.name == link.scenario }) {
            let next = link.step + 1
            if next < scenario.steps.count {
                let step = scenario.steps[next]
                let text = context.lastUserText
                if let m = step.match {
                    let reasons = m.mismatches(context.request, lastUserText: text, headers: context.headers)
                    if !reasons.isEmpty {
                        throw violation(scenario, step: next, "the request does not match step \(next + 1): " + reasons.joined(separator: "; "))
                    }
                }
                if let expect = step.expect { try check(expect, scenario: scenario, step: next, context: context, tenant: tenant, root: link.root) }
                return try build(scenario, step: next, context: context, tenant: tenant, root: link.root)
            }
        }

        // 2. The first scenario whose match holds starts a conversation.
        var misses: [(String, [String])] = []
        for scenario in candidates where !scenario.steps.isEmpty {
            var reasons = scenario.match.mismatches(context.request, lastUserText: context.lastUserText, headers: context.headers)
            if let m = scenario.steps[0].match {
                reasons += m.mismatches(context.request, lastUserText: context.lastUserText, headers: context.headers)
            }
            if reasons.isEmpty, let nth = scenario.match.nth {
                let count = tenant.state.withLock { s -> Int in
                    s.scenarioCounters["nth|\(scenario.name)", default: 0] += 1
                    return s.scenarioCounters["nth|\(scenario.name)"]!
                }
                if count != nth { reasons.append("this is matching request #\(count), scenario answers only #\(nth)") }
            }
            if reasons.isEmpty {
                if let expect = scenario.steps[0].expect {
                    try check(expect, scenario: scenario, step: 0, context: context, tenant: tenant, root: context.interactionID)
                }
                return try build(scenario, step: 0, context: context, tenant: tenant, root: context.interactionID)
            }
            misses.append((scenario.name, reasons))
        }

        if strict || context.headers["x-understudy-strict"] == "true" {
            let nearest = misses.sorted { $0.1.count < $1.1.count }.prefix(3)
            let list = nearest.map { "'\($0.0)' (\($0.1.joined(separator: "; ")))" }.joined(separator: "; ")
            var e = APIError.failedPrecondition(
                "No scenario matched this request and scenarios are strict. " + (nearest.isEmpty ? "No scenario with a reply is loaded." : "Nearest: \(list)."))
            e.details = nearest.map { ["@type": "type.understudy.dev/NearMiss", "scenario": .string($0.0), "reasons": .array($0.1.map { .string($0) })] }
            throw e
        }
        return nil
    }

    /// The scripted conversation this request continues, found by the ids the steps issued: the
    /// previous interaction's id, or a function call id answered in the history.
    func continuation(of context: ResponseContext, tenant: Tenant) -> ScenarioChainLink? {
        tenant.state.withLock { s in
            if let previous = context.request.previousInteractionID, let link = s.scenarioChains[previous] { return link }
            for turn in context.history.reversed() where turn.role == .model {
                for block in turn.content where block.type == "function_call" {
                    if let id = block.id, let link = s.scenarioCallChains[id] { return link }
                }
                break
            }
            return nil
        }
    }

    func violation(_ scenario: Scenario, step: Int, _ what: String) -> APIError {
        var e = APIError.invalidArgument("Scenario '\(scenario.name)' step \(step + 1): \(what)")
        e.details = [["@type": .string(Self.violationType), "scenario": .string(scenario.name), "step": .int(Int64(step + 1)), "violation": .string(what)]]
        return e
    }

    func check(_ expect: Scenario.Expectation, scenario: Scenario, step: Int, context: ResponseContext, tenant: Tenant, root: String) throws(APIError) {
        let values = templateValues(context: context, tenant: tenant, root: root)
        let text = context.lastUserText
        if !expect.functionResults.isEmpty {
            let wanted = Set(expect.functionResults.map { Template.render($0, values) })
            let sent = Set(context.currentInput.flatMap(\.content).filter { $0.type == "function_result" }.compactMap(\.callID))
            if wanted != sent {
                throw violation(scenario, step: step, "expected function results for call ids [\(wanted.sorted().joined(separator: ", "))], the request answered [\(sent.sorted().joined(separator: ", "))].")
            }
        }
        if let s = expect.inputContains, !text.lowercased().contains(Template.render(s, values).lowercased()) {
            throw violation(scenario, step: step, "expected the input to contain '\(s)'.")
        }
        if let p = expect.inputMatches, let regex = try? Regex(p), (try? regex.firstMatch(in: text)) == nil {
            throw violation(scenario, step: step, "expected the input to match /\(p)/.")
        }
        let declared = Set(context.request.tools.map { $0.name ?? $0.type })
        let missing = expect.tools.filter { !declared.contains($0) }
        if !missing.isEmpty {
            throw violation(scenario, step: step, "expected the tools [\(missing.joined(separator: ", "))] to be declared again (tools are not inherited through previous_interaction_id).")
        }
    }

    func templateValues(context: ResponseContext, tenant: Tenant, root: String) -> [String: String] {
        var values = tenant.state.withLock { s in
            s.scenarioValues.reduce(into: [String: String]()) { out, kv in
                let prefix = root + "|"
                if kv.key.hasPrefix(prefix) { out[String(kv.key.dropFirst(prefix.count))] = kv.value }
            }
        }
        values["interaction.id"] = context.interactionID
        values["previous.id"] = context.request.previousInteractionID ?? ""
        values["request.text"] = context.lastUserText
        values["request.model"] = context.request.target.name
        values["chain.position"] = String(context.chainPosition)
        let results = context.currentInput.flatMap(\.content).filter { $0.type == "function_result" }
        for (i, r) in results.enumerated() {
            values["request.function_results.\(i + 1).call_id"] = r.callID ?? ""
            values["request.function_results.\(i + 1).name"] = r.name ?? ""
            switch r.result {
            case .string(let s)?: values["request.function_results.\(i + 1).result"] = s
            case let v?: values["request.function_results.\(i + 1).result"] = v.jsonString
            case nil: break
            }
        }
        return values
    }

    func build(_ scenario: Scenario, step index: Int, context: ResponseContext, tenant: Tenant, root: String) throws(APIError) -> Reply {
        let script = scenario.steps[index].reply
        var values = templateValues(context: context, tenant: tenant, root: root)
        values["steps.\(index + 1).id"] = context.interactionID
        var outputs: [Content] = []
        var callNumber = 0
        // Ids of this reply's calls not yet answered by a result in it, by call type, oldest first.
        var openCalls: [String: [String]] = [:]
        for (i, raw) in script.outputs.enumerated() {
            var json = Template.render(raw, values)
            if json["id"]?.stringValue == "{{auto}}" || json["id"]?.stringValue == "" {
                json["id"] = .string(context.identity.shortID(8, context.label, "scenario", scenario.name, String(index), String(i)))
            }
            let type = json["type"]?.stringValue ?? ""
            if ScenarioLoader.resultOfCall[type] != nil, let id = json["id"]?.stringValue { openCalls[type, default: []].append(id) }
            if let callType = ScenarioLoader.resultOfCall.first(where: { $0.value == type })?.key {
                if json["call_id"]?.stringValue == "{{pair}}" {
                    json["call_id"] = .string(openCalls[callType]?.first ?? "")
                    if openCalls[callType]?.isEmpty == false { openCalls[callType]!.removeFirst() }
                } else if let id = json["call_id"]?.stringValue, let k = openCalls[callType]?.firstIndex(of: id) {
                    openCalls[callType]!.remove(at: k)
                }
            }
            guard let block = Content(json: json) else { continue }
            if block.type == "function_call" {
                callNumber += 1
                values["steps.\(index + 1).calls.\(callNumber).id"] = block.id ?? ""
                values["steps.\(index + 1).calls.\(callNumber).name"] = block.name ?? ""
            }
            outputs.append(block)
        }
        var reply = Reply(outputs: outputs, status: script.status ?? (outputs.contains(where: \.isClientCall) ? .requiresAction : .completed))
        reply.failure = script.error
        if reply.status == .failed && reply.failure == nil {
            reply.failure = InteractionFailure(code: "internal", message: "The interaction failed (scripted by scenario '\(scenario.name)').")
        }
        reply.textChunkSize = script.chunkSize
        reply.eventDelayMillis = script.delayMillis
        reply.streamFaults = script.streamFaults
        reply.timeline = script.timeline
        reply.scenario = "\(scenario.name)#\(index + 1)"
        reply.retentionSeconds = script.retentionSeconds
        if let u = script.usage {
            var usage = Usage()
            usage.inputByModality["text"] = Int(u["input_tokens"]?.intValue ?? 0)
            usage.outputByModality["text"] = Int(u["output_tokens"]?.intValue ?? 0)
            usage.reasoning = Int(u["reasoning_tokens"]?.intValue ?? 0)
            if let c = u["cached_tokens"]?.intValue { usage.cachedByModality["text"] = Int(c) }
            if let t = u["tool_use_tokens"]?.intValue { usage.toolUseByModality["text"] = Int(t) }
            reply.usage = usage
        }
        // Remember where this interaction sits, so its continuation finds the next step.
        let link = ScenarioChainLink(scenario: scenario.name, step: index, root: root)
        tenant.state.withLock { s in
            s.scenarioChains[context.interactionID] = link
            s.scenarioValues["\(root)|steps.\(index + 1).id"] = context.interactionID
            for (k, v) in values where k.hasPrefix("steps.\(index + 1).calls.") { s.scenarioValues["\(root)|\(k)"] = v }
            for block in outputs where block.type == "function_call" {
                if let id = block.id { s.scenarioCallChains[id] = link }
            }
        }
        return reply
    }
}

/// A fault a scenario injects before a request is handled.
public struct ScenarioFault: Sendable {
    public var scenario: String
    public var delayMillis: Int = 0
    public var dropConnection = false
    public var error: APIError?
}

/// `{{name}}` substitution in scenario strings. Unknown names are left as written, so mistakes show.
enum Template {
    static func render(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += values[name] ?? (name == "auto" ? "{{auto}}" : "{{\(name)}}")
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }

    static func render(_ value: JSONValue, _ values: [String: String]) -> JSONValue {
        switch value {
        case .string(let s): return .string(render(s, values))
        case .array(let a): return .array(a.map { render($0, values) })
        case .object(let o): return .object(o.mapValues { render($0, values) })
        default: return value
        }
    }
}
