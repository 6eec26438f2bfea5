/// The revision-neutral events of an interaction's stream. The wire layer names and frames them.

/// One incremental piece of a content block: `type` is the delta kind (`text`, `thought_summary`,
/// `thought_signature`, `function_call`, ...), `fields` its members.
public struct Delta: Sendable, Hashable {
    public var type: String
    public var fields: [String: JSONValue]
    public init(type: String, fields: [String: JSONValue] = [:]) {
        self.type = type
        self.fields = fields
    }
    public var json: JSONValue {
        var m = fields
        m["type"] = .string(type)
        return .object(m)
    }
}

public enum StreamEventPayload: Sendable, Hashable {
    /// The interaction as it was when it started (no outputs yet).
    case interactionStart(InteractionRecord)
    case statusUpdate(InteractionStatus)
    /// The opening of output block `index`, with the block's identifying members only.
    case contentStart(index: Int, content: Content)
    case contentDelta(index: Int, delta: Delta)
    case contentStop(index: Int)
    /// The interaction in its final state, with outputs and usage.
    case interactionComplete(InteractionRecord)
    case error(code: String, message: String)
}

public struct StreamEvent: Sendable, Hashable {
    public var id: String
    public var interactionID: String
    public var payload: StreamEventPayload
    public init(id: String, interactionID: String, payload: StreamEventPayload) {
        self.id = id
        self.interactionID = interactionID
        self.payload = payload
    }
}
