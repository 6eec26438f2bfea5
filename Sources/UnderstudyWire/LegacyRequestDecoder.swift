import UnderstudyModel

/// Decodes a create body of the Dec-2025 (`outputs`) revision into the neutral `CreateRequest`.
///
/// The body is first checked against `LegacySchema.createRequest`, so unknown members, wrong types and
/// bad enum values are reported by field path; then the forms of `input` are normalised to turns.
public enum LegacyRequestDecoder {
    public static func decode(body: [UInt8]) throws(APIError) -> CreateRequest {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw APIError.invalidArgument("Invalid JSON payload received. \(error.description).")
        }
        return try decode(json: json)
    }

    public static func decode(json raw: JSONValue) throws(APIError) -> CreateRequest {
        guard case .object = raw else {
            throw APIError.invalidArgument("Invalid JSON payload received. Expected an object at the top level, got \(raw.kindName).")
        }
        let json: JSONValue
        do {
            json = try SchemaValidator.validate(raw, as: LegacySchema.createRequest)
        } catch {
            throw APIError(error)
        }
        let model = json["model"]?.stringValue
        let agent = json["agent"]?.stringValue
        let target: Target
        switch (model, agent) {
        case (let m?, nil):
            guard !m.isEmpty else { throw APIError.invalidArgument("Invalid value at 'model': must not be empty.", field: "model") }
            target = .model(m.hasPrefix("models/") ? String(m.dropFirst(7)) : m)
        case (nil, let a?):
            guard !a.isEmpty else { throw APIError.invalidArgument("Invalid value at 'agent': must not be empty.", field: "agent") }
            target = .agent(a.hasPrefix("agents/") ? String(a.dropFirst(7)) : a)
        case (nil, nil):
            throw APIError.invalidArgument("Exactly one of 'model' or 'agent' must be set; neither was.", field: "model")
        case (_?, _?):
            throw APIError.invalidArgument("Exactly one of 'model' or 'agent' must be set; both were.", field: "agent")
        }
        if target.isAgent, json["generation_config"] != nil {
            throw APIError.invalidArgument("'generation_config' is only supported for model interactions; use 'agent_config' with an agent.", field: "generation_config")
        }
        if !target.isAgent, json["agent_config"] != nil {
            throw APIError.invalidArgument("'agent_config' is only supported for agent interactions; use 'generation_config' with a model.", field: "agent_config")
        }
        guard let inputJSON = json["input"] else {
            throw APIError.invalidArgument("Missing required field 'input'.", field: "input")
        }
        let (turns, form) = try decodeInput(inputJSON)

        var request = CreateRequest(target: target, input: turns, inputForm: form)
        request.systemInstruction = json["system_instruction"]?.stringValue
        request.tools = (json["tools"]?.arrayValue ?? []).map { toolJSON in
            var fields = toolJSON.objectValue ?? [:]
            let type = fields.removeValue(forKey: "type")?.stringValue ?? ""
            return Tool(type: type, fields: fields)
        }
        if let config = json["generation_config"] {
            request.generationConfig = decodeGenerationConfig(config)
            request.hasGenerationConfig = true
        }
        request.agentConfig = json["agent_config"]
        request.responseFormat = json["response_format"]
        request.responseMimeType = json["response_mime_type"]?.stringValue
        request.responseModalities = (json["response_modalities"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() }
        request.previousInteractionID = json["previous_interaction_id"]?.stringValue
        request.stream = json["stream"]?.boolValue ?? false
        request.store = json["store"]?.boolValue ?? true
        request.background = json["background"]?.boolValue ?? false
        request.serviceTier = json["service_tier"]?.stringValue
        request.webhookConfig = json["webhook_config"]
        if let id = request.previousInteractionID, id.isEmpty {
            throw APIError.invalidArgument("Invalid value at 'previous_interaction_id': must not be empty.", field: "previous_interaction_id")
        }
        return request
    }

    /// Normalises the four forms of `input` (string, content list, turn list, one content block).
    static func decodeInput(_ input: JSONValue) throws(APIError) -> ([Turn], InputForm) {
        switch input {
        case .string(let s):
            return ([Turn(role: .user, content: [.text(s)])], .string)
        case .object:
            let block = try validateContent(input, at: FieldPath.root.appending("input"))
            return ([Turn(role: .user, content: [block])], .singleContent)
        case .array(let items):
            guard !items.isEmpty else {
                throw APIError.invalidArgument("Invalid value at 'input': the list must not be empty.", field: "input")
            }
            let hasRole = items.contains { $0["role"] != nil }
            let hasType = items.contains { $0["type"] != nil }
            if hasRole && hasType {
                throw APIError.invalidArgument(
                    "Invalid value at 'input': a list must hold either turns ({\"role\", \"content\"}) or content blocks ({\"type\", ...}), not both.",
                    field: "input")
            }
            if hasRole || items.allSatisfy({ $0["content"] != nil }) {
                var turns: [Turn] = []
                for (i, item) in items.enumerated() {
                    let path = FieldPath.root.appending("input").appending(i)
                    let turn: JSONValue
                    do {
                        turn = try SchemaValidator.validate(item, as: APISchema.turn, at: path)
                    } catch {
                        throw APIError(error)
                    }
                    let role = Role(rawValue: turn["role"]?.stringValue ?? "user") ?? .user
                    let content: [Content]
                    switch turn["content"] {
                    case .string(let s)?: content = [.text(s)]
                    case .array(let blocks)?:
                        guard !blocks.isEmpty else {
                            throw APIError.invalidArgument("Invalid value at '\(path.appending("content"))': a turn needs at least one content block.", field: path.appending("content").description)
                        }
                        content = blocks.compactMap(Content.init(json:))
                    default: content = []
                    }
                    turns.append(Turn(role: role, content: content))
                }
                return (turns, .turns)
            }
            var blocks: [Content] = []
            for (i, item) in items.enumerated() {
                blocks.append(try validateContent(item, at: FieldPath.root.appending("input").appending(i)))
            }
            return ([Turn(role: .user, content: blocks)], .contentList)
        default:
            throw APIError.invalidArgument(
                "Invalid value at 'input': expected a string, a list of content blocks, a list of turns or one content block, got \(input.kindName).",
                field: "input")
        }
    }

    static func validateContent(_ value: JSONValue, at path: FieldPath) throws(APIError) -> Content {
        let checked: JSONValue
        do {
            checked = try SchemaValidator.validate(value, as: APISchema.content, at: path)
        } catch {
            throw APIError(error)
        }
        guard let block = Content(json: checked) else {
            throw APIError.invalidArgument("Invalid content block at '\(path)'.", field: path.description)
        }
        return block
    }

    static func decodeGenerationConfig(_ json: JSONValue) -> GenerationConfig {
        var config = GenerationConfig()
        config.temperature = json["temperature"]?.doubleValue
        config.topP = json["top_p"]?.doubleValue
        config.seed = json["seed"]?.intValue
        config.maxOutputTokens = json["max_output_tokens"]?.intValue.map { Int($0) }
        config.stopSequences = (json["stop_sequences"]?.arrayValue ?? []).compactMap(\.stringValue)
        config.thinkingLevel = json["thinking_level"]?.stringValue
        config.thinkingSummaries = json["thinking_summaries"]?.stringValue
        switch json["tool_choice"] {
        case .string(let mode)?: config.toolChoice = .mode(mode)
        case .object(let o)?:
            let allowed = o["allowed_tools"]
            config.toolChoice = .allowed(
                mode: allowed?["mode"]?.stringValue ?? "auto",
                tools: (allowed?["tools"]?.arrayValue ?? []).compactMap(\.stringValue))
        default: break
        }
        let speech: [JSONValue]
        switch json["speech_config"] {
        case .array(let a)?: speech = a
        case .object(let o)?: speech = [.object(o)]
        default: speech = []
        }
        config.speechConfig = speech.map {
            SpeechConfig(voice: $0["voice"]?.stringValue, language: $0["language"]?.stringValue, speaker: $0["speaker"]?.stringValue)
        }
        config.imageAspectRatio = json["image_config"]?["aspect_ratio"]?.stringValue
        config.imageSize = json["image_config"]?["image_size"]?.stringValue
        return config
    }
}
