import UnderstudyModel

/// Switches for wire details that real services changed over time (reference §10); each default is the
/// choice documented in the README.
public struct WireOptions: Sendable, Hashable {
    /// Name of the reasoning-token counter: SDK 1.55 reads `total_reasoning_tokens`, 1.58+ reads
    /// `total_thought_tokens`. `both` serves every 1.x client.
    public enum ThoughtTokensField: String, Sendable, CaseIterable { case reasoning, thought, both }
    /// `google`: `{"error":{"code":400,"message":…,"status":"INVALID_ARGUMENT"}}`; `interactions`: the
    /// 2026 backend style `{"error":{"message":…,"code":"invalid_request"}}`.
    public enum ErrorStyle: String, Sendable, CaseIterable { case google, interactions }

    public var thoughtTokensField: ThoughtTokensField = .both
    public var errorStyle: ErrorStyle = .google
    /// Emit an `event: <type>` line before each `data:` line (what Google's docs show).
    public var sseEventLines = true
    /// End streams with `data: [DONE]` (a Stainless convention; off by default).
    public var sseDoneMarker = false
    /// Emit an SSE `id:` line with each event's id. Off by default: together with keep-alives it crashes
    /// the SDK 1.55 parser (reference §5.1, trap 1).
    public var sseIDLines = false

    public init() {}
}

/// Encodes neutral interactions, events and errors as the Dec-2025 revision's JSON.
public struct LegacyEncoder: Sendable {
    public var options: WireOptions
    public init(options: WireOptions = WireOptions()) { self.options = options }

    // MARK: Interaction

    /// The Interaction resource. `includeInput` adds this interaction's own input as turns (GET
    /// `include_input=true`, SDK ≥ 1.63).
    public func interaction(_ record: InteractionRecord, includeInput: Bool = false) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(record.id),
            "object": "interaction",
            "status": .string(record.status.rawValue),
            "role": "model",
            "created": .string(Timestamp.rfc3339(record.created)),
            "updated": .string(Timestamp.rfc3339(record.updated)),
        ]
        switch record.target {
        case .model(let m): o["model"] = .string(m)
        case .agent(let a): o["agent"] = .string(a)
        }
        if record.status != .inProgress || !record.outputs.isEmpty {
            o["outputs"] = .array(record.outputs.map(\.json))
        }
        if let usage = record.usage { o["usage"] = self.usage(usage) }
        if let previous = record.previousInteractionID { o["previous_interaction_id"] = .string(previous) }
        if includeInput { o["input"] = .array(record.input.map(\.json)) }
        return .object(o)
    }

    /// The partial interaction carried by `interaction.start`.
    public func interactionHeader(_ record: InteractionRecord) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(record.id),
            "object": "interaction",
            "status": .string(InteractionStatus.inProgress.rawValue),
            "role": "model",
            "created": .string(Timestamp.rfc3339(record.created)),
            "updated": .string(Timestamp.rfc3339(record.created)),
        ]
        switch record.target {
        case .model(let m): o["model"] = .string(m)
        case .agent(let a): o["agent"] = .string(a)
        }
        if let previous = record.previousInteractionID { o["previous_interaction_id"] = .string(previous) }
        return .object(o)
    }

    public func usage(_ u: Usage) -> JSONValue {
        func byModality(_ m: [String: Int]) -> JSONValue {
            .array(m.keys.sorted().map { .object(["modality": .string($0), "tokens": .int(Int64(m[$0]!))]) })
        }
        var o: [String: JSONValue] = [
            "total_input_tokens": .int(Int64(u.totalInput)),
            "input_tokens_by_modality": byModality(u.inputByModality),
            "total_cached_tokens": .int(Int64(u.totalCached)),
            "cached_tokens_by_modality": byModality(u.cachedByModality),
            "total_output_tokens": .int(Int64(u.totalOutput)),
            "output_tokens_by_modality": byModality(u.outputByModality),
            "total_tool_use_tokens": .int(Int64(u.totalToolUse)),
            "tool_use_tokens_by_modality": byModality(u.toolUseByModality),
            "total_tokens": .int(Int64(u.total)),
        ]
        switch options.thoughtTokensField {
        case .reasoning: o["total_reasoning_tokens"] = .int(Int64(u.reasoning))
        case .thought: o["total_thought_tokens"] = .int(Int64(u.reasoning))
        case .both:
            o["total_reasoning_tokens"] = .int(Int64(u.reasoning))
            o["total_thought_tokens"] = .int(Int64(u.reasoning))
        }
        return .object(o)
    }

    // MARK: Events

    public static func eventType(of payload: StreamEventPayload) -> String {
        switch payload {
        case .interactionStart: return "interaction.start"
        case .statusUpdate: return "interaction.status_update"
        case .contentStart: return "content.start"
        case .contentDelta: return "content.delta"
        case .contentStop: return "content.stop"
        case .interactionComplete: return "interaction.complete"
        case .error: return "error"
        }
    }

    public func event(_ event: StreamEvent) -> JSONValue {
        var o: [String: JSONValue] = [
            "event_type": .string(Self.eventType(of: event.payload)),
            "event_id": .string(event.id),
        ]
        switch event.payload {
        case .interactionStart(let record): o["interaction"] = interactionHeader(record)
        case .statusUpdate(let status):
            o["interaction_id"] = .string(event.interactionID)
            o["status"] = .string(status.rawValue)
        case .contentStart(let index, let content):
            o["index"] = .int(Int64(index))
            o["content"] = content.json
        case .contentDelta(let index, let delta):
            o["index"] = .int(Int64(index))
            o["delta"] = delta.json
        case .contentStop(let index):
            o["index"] = .int(Int64(index))
        case .interactionComplete(let record): o["interaction"] = interaction(record)
        case .error(let code, let message):
            o["error"] = .object(["code": .string(code), "message": .string(message)])
        }
        return .object(o)
    }

    /// One SSE frame: optional `event:` and `id:` lines, one compact `data:` line, a blank line.
    public func sseFrame(_ event: StreamEvent) -> [UInt8] {
        var out: [UInt8] = []
        if options.sseEventLines {
            out.append(contentsOf: "event: \(Self.eventType(of: event.payload))\n".utf8)
        }
        if options.sseIDLines {
            out.append(contentsOf: "id: \(event.id)\n".utf8)
        }
        out.append(contentsOf: "data: ".utf8)
        out.append(contentsOf: self.event(event).serialized())
        out.append(contentsOf: "\n\n".utf8)
        return out
    }

    public var sseTerminator: [UInt8] { options.sseDoneMarker ? Array("data: [DONE]\n\n".utf8) : [] }

    // MARK: Errors

    public func error(_ error: APIError) -> JSONValue {
        switch options.errorStyle {
        case .google:
            var body: [String: JSONValue] = [
                "code": .int(Int64(error.httpStatus)),
                "message": .string(error.message),
                "status": .string(error.status),
            ]
            var details = error.details
            if let field = error.field, error.httpStatus == 400 {
                details.insert(
                    [
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [["field": .string(field), "description": .string(error.message)]],
                    ], at: 0)
            }
            if !details.isEmpty { body["details"] = .array(details) }
            return .object(["error": .object(body)])
        case .interactions:
            let code: String
            switch error.httpStatus {
            case 400: code = "invalid_request"
            case 401, 403: code = "permission_denied"
            case 404: code = "not_found"
            case 429: code = "resource_exhausted"
            case 501: code = "not_implemented"
            case 503: code = "unavailable"
            default: code = error.httpStatus >= 500 ? "internal" : "invalid_request"
            }
            return .object(["error": .object(["message": .string(error.message), "code": .string(code)])])
        }
    }
}
