import UnderstudyModel

/// Everything a responder may look at to answer one create request.
public struct ResponseContext: Sendable {
    public var tenant: String
    public var request: CreateRequest
    /// The whole conversation: the chain's (or the client's) earlier turns, then this request's input.
    public var history: [Turn]
    /// The interaction named by `previous_interaction_id`, if any.
    public var previous: InteractionRecord?
    /// 1 for the first interaction of a chain, 2 for its answer, ... (stateful chains only).
    public var chainPosition: Int
    public var interactionID: String
    public var headers: [String: String]
    public var identity: Identity
    /// Tenant clock at creation, seconds since 1970.
    public var now: Int64
    /// Files API files referenced by URI in the input: uri → (mime type, size in bytes).
    public var files: [String: FileFacts] = [:]
    /// Reproduce the live quirk of text before built-in tool blocks (`--builtin-tool-order text-first`).
    public var builtinToolTextFirst = false

    /// The turns of this request's own input.
    public var currentInput: [Turn] { request.input }

    /// The last user turn of the conversation.
    public var lastUserTurn: Turn? { history.last { $0.role == .user } }

    /// Text of the last user turn that carries text.
    public var lastUserText: String {
        for turn in history.reversed() where turn.role == .user {
            let t = turn.text
            if !t.isEmpty { return t }
        }
        return ""
    }

    /// Function results in the latest user turn.
    public var functionResults: [Content] {
        guard let last = history.last, last.role == .user else { return [] }
        return last.content.filter { $0.type == "function_result" }
    }

    /// The function calls of the model turn just before the latest user turn.
    public var callsAnswered: [Content] {
        guard history.count >= 2 else { return [] }
        return history[history.count - 2].content.filter { $0.type == "function_call" }
    }

    /// A label unique to this interaction, for deterministic choices.
    public var label: String { "\(tenant)|\(interactionID)" }
}

/// What the engine knows about a Files API file a request refers to.
public struct FileFacts: Sendable, Hashable {
    public var name: String
    public var mimeType: String
    public var sizeBytes: Int64
}

/// What a responder decided: the outputs, the final status, and how the run unfolds.
public struct Reply: Sendable {
    public var outputs: [Content]
    public var status: InteractionStatus
    /// Computed from the context and outputs when nil.
    public var usage: Usage?
    public var failure: InteractionFailure?
    /// Background timeline; nil means the engine's default for the target.
    public var timeline: [PendingRun.Step]?
    public var textChunkSize: Int?
    public var eventDelayMillis: Int?
    /// `name` or `name#step` of the scenario that scripted the reply.
    public var scenario: String?
    /// Transport-level faults for this reply's stream.
    public var streamFaults = StreamFaults()
    /// Retention overriding the tenant tier's, in seconds.
    public var retentionSeconds: Int64?

    public init(outputs: [Content], status: InteractionStatus = .completed) {
        self.outputs = outputs
        self.status = status
    }
}

/// Misbehaviour of the transport while streaming, scripted by scenarios.
public struct StreamFaults: Sendable, Hashable {
    /// Close the connection (without the chunked terminator) after this many events.
    public var cutAfterEvents: Int?
    /// Replace the data of event number N (1-based) by a line that is not JSON.
    public var malformedEvent: Int?
    /// Pause this long before every event (a slow drip), milliseconds.
    public var dripMillis: Int?
    /// After event N, send an extra event of a type no SDK knows (forward-compatibility tests).
    public var unknownEventAfter: Int?
    public init() {}
    public var isEmpty: Bool { cutAfterEvents == nil && malformedEvent == nil && dripMillis == nil && unknownEventAfter == nil }
}

/// Produces replies. The default responder answers anything; scenario responders answer what they match.
public protocol Responder: Sendable {
    func reply(to context: ResponseContext) async throws(APIError) -> Reply
}
