/// The revision-neutral model of an interaction: what the engine creates, stores and chains. Wire
/// revisions (the Dec-2025 `outputs` shape today, the `steps` shape later) are encodings of this.

/// Lifecycle states. `incomplete` arrived in SDK 1.63 and is produced only when a scenario asks for it.
public enum InteractionStatus: String, Sendable, Hashable, CaseIterable {
    case inProgress = "in_progress"
    case requiresAction = "requires_action"
    case completed
    case failed
    case cancelled
    case incomplete

    /// No further change will happen (a `requires_action` interaction is answered by a new one).
    public var isTerminal: Bool { self != .inProgress }
}

/// What answers: a model or an agent. Exactly one per interaction.
public enum Target: Sendable, Hashable {
    case model(String)
    case agent(String)

    public var name: String {
        switch self {
        case .model(let m): return m
        case .agent(let a): return a
        }
    }
    public var isAgent: Bool { if case .agent = self { return true } else { return false } }
}

/// The shape in which the client sent `input`; kept for the journal and for conformance checks.
public enum InputForm: String, Sendable, Hashable {
    case string, contentList = "content_list", turns, singleContent = "single_content"
}

public struct SpeechConfig: Sendable, Hashable {
    public var voice: String?
    public var language: String?
    public var speaker: String?
    public init(voice: String? = nil, language: String? = nil, speaker: String? = nil) {
        self.voice = voice
        self.language = language
        self.speaker = speaker
    }
}

public enum ToolChoice: Sendable, Hashable {
    case mode(String)
    case allowed(mode: String, tools: [String])

    public var mode: String {
        switch self {
        case .mode(let m): return m
        case .allowed(let m, _): return m
        }
    }
}

/// `generation_config`, typed.
public struct GenerationConfig: Sendable, Hashable {
    public var temperature: Double?
    public var topP: Double?
    public var seed: Int64?
    public var maxOutputTokens: Int?
    public var stopSequences: [String] = []
    public var thinkingLevel: String?
    public var thinkingSummaries: String?
    public var toolChoice: ToolChoice?
    public var speechConfig: [SpeechConfig] = []
    public var imageAspectRatio: String?
    public var imageSize: String?
    public init() {}
}

/// A declared tool: the `type` plus its members (name, parameters, url, ...).
public struct Tool: Sendable, Hashable {
    public var type: String
    public var fields: [String: JSONValue]
    public init(type: String, fields: [String: JSONValue] = [:]) {
        self.type = type
        self.fields = fields
    }
    public var name: String? { fields["name"]?.stringValue }
    public var parameters: JSONValue? { fields["parameters"] }
    public var json: JSONValue {
        var m = fields
        m["type"] = .string(type)
        return .object(m)
    }
    public static let builtInTypes: Set<String> = ["google_search", "code_execution", "url_context", "file_search", "google_maps", "retrieval"]
    public var isBuiltIn: Bool { Tool.builtInTypes.contains(type) }
}

/// A create request after validation: everything the engine needs, nothing wire-specific.
public struct CreateRequest: Sendable {
    public var target: Target
    /// This request's own input, normalised to turns (a string becomes one user turn).
    public var input: [Turn]
    public var inputForm: InputForm
    public var systemInstruction: String?
    public var tools: [Tool] = []
    public var generationConfig = GenerationConfig()
    public var hasGenerationConfig = false
    public var agentConfig: JSONValue?
    public var responseFormat: JSONValue?
    public var responseMimeType: String?
    /// Lower-cased.
    public var responseModalities: [String] = []
    public var previousInteractionID: String?
    public var stream = false
    public var store = true
    public var background = false
    public var serviceTier: String?
    public var webhookConfig: JSONValue?

    public init(target: Target, input: [Turn], inputForm: InputForm) {
        self.target = target
        self.input = input
        self.inputForm = inputForm
    }
}

/// Token accounting of one interaction.
public struct Usage: Sendable, Hashable {
    public var inputByModality: [String: Int] = [:]
    public var outputByModality: [String: Int] = [:]
    public var cachedByModality: [String: Int] = [:]
    public var toolUseByModality: [String: Int] = [:]
    public var reasoning = 0

    public init() {}

    public var totalInput: Int { inputByModality.values.reduce(0, +) }
    public var totalOutput: Int { outputByModality.values.reduce(0, +) }
    public var totalCached: Int { cachedByModality.values.reduce(0, +) }
    public var totalToolUse: Int { toolUseByModality.values.reduce(0, +) }
    public var total: Int { totalInput + totalOutput + reasoning + totalToolUse }
}

/// One change of status in an interaction's life, the source of `interaction.status_update` events.
public struct StatusChange: Sendable, Hashable {
    public var status: InteractionStatus
    public var at: Int64
    public init(status: InteractionStatus, at: Int64) {
        self.status = status
        self.at = at
    }
}

/// An error an interaction failed with, reported as the stream's `error` event.
public struct InteractionFailure: Sendable, Hashable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// How an interaction's outputs are cut into stream events; fixed when the interaction is created so a
/// replay after a restart with other flags gives the same events.
public struct ChunkPlan: Sendable, Hashable {
    /// Maximum characters of text per `content.delta`.
    public var textChunkSize: Int
    /// Milliseconds to wait before each event when streaming live (0 = as fast as possible).
    public var eventDelayMillis: Int
    public init(textChunkSize: Int = 24, eventDelayMillis: Int = 0) {
        self.textChunkSize = textChunkSize
        self.eventDelayMillis = eventDelayMillis
    }
}

/// A stored interaction. Timestamps are seconds since 1970 on the tenant's clock.
public struct InteractionRecord: Sendable, Hashable {
    public var id: String
    public var tenant: String
    /// Position of this interaction among the tenant's creations; drives ids and ordering.
    public var sequence: Int64
    public var target: Target
    public var status: InteractionStatus
    public var created: Int64
    public var updated: Int64
    public var previousInteractionID: String?
    /// This interaction's own input turns (history is found by walking `previousInteractionID`).
    public var input: [Turn]
    public var outputs: [Content]
    public var usage: Usage?
    public var systemInstruction: String?
    public var tools: [Tool]
    public var stored: Bool
    public var background: Bool
    public var streamed: Bool
    public var statusHistory: [StatusChange]
    public var failure: InteractionFailure?
    public var chunkPlan: ChunkPlan
    /// When a retention policy removes it (seconds since 1970), `nil` for never.
    public var expiresAt: Int64?
    /// A pending background run: what it will become, and what it waits for.
    public var pendingRun: PendingRun?
    /// Name of the scenario (and step) that scripted it, for the journal.
    public var scenario: String?
    /// Incremented on every change, so that a store never replaces a newer state with an older one.
    public var revision: Int64 = 1

    public init(
        id: String, tenant: String, sequence: Int64, target: Target, status: InteractionStatus, created: Int64,
        input: [Turn], outputs: [Content] = [], tools: [Tool] = [], stored: Bool = true
    ) {
        self.id = id
        self.tenant = tenant
        self.sequence = sequence
        self.target = target
        self.status = status
        self.created = created
        self.updated = created
        self.input = input
        self.outputs = outputs
        self.tools = tools
        self.stored = stored
        self.background = false
        self.streamed = false
        self.statusHistory = [StatusChange(status: .inProgress, at: created)]
        self.chunkPlan = ChunkPlan()
    }

    /// The function calls in the outputs that still wait for the client's results.
    public var pendingCalls: [Content] {
        status == .requiresAction ? outputs.filter(\.isClientCall) : []
    }
}

/// A background run waiting to progress: the remaining steps of its timeline and the final result.
public struct PendingRun: Sendable, Hashable {
    public enum Trigger: Sendable, Hashable {
        /// Advances at once (used to model intermediate statuses).
        case immediately
        /// Advances once the tenant's clock reaches `createdAt + seconds`.
        case afterSeconds(Double)
        /// Advances once the client has polled (GET) this many times since the step began.
        case afterPolls(Int)
        /// Either of the two above, whichever comes first.
        case afterPollsOrSeconds(Int, Double)
        /// Advances only when a test releases the named hold through the admin API.
        case hold(String)
    }

    public struct Step: Sendable, Hashable {
        public var status: InteractionStatus
        public var trigger: Trigger
        /// Thought summary shown while this step runs (deep research progress), if any.
        public var note: String?
        public init(status: InteractionStatus, trigger: Trigger, note: String? = nil) {
            self.status = status
            self.trigger = trigger
            self.note = note
        }
    }

    public var steps: [Step]
    /// When the current step began (tenant clock seconds).
    public var stepStartedAt: Int64
    /// Polls seen since the current step began.
    public var pollsInStep: Int
    /// The outputs, usage and final status the run ends with.
    public var finalOutputs: [Content]
    public var finalUsage: Usage?
    public var finalStatus: InteractionStatus
    public var finalFailure: InteractionFailure?

    public init(steps: [Step], stepStartedAt: Int64, finalOutputs: [Content], finalUsage: Usage?, finalStatus: InteractionStatus, finalFailure: InteractionFailure? = nil) {
        self.steps = steps
        self.stepStartedAt = stepStartedAt
        self.pollsInStep = 0
        self.finalOutputs = finalOutputs
        self.finalUsage = finalUsage
        self.finalStatus = finalStatus
        self.finalFailure = finalFailure
    }
}
