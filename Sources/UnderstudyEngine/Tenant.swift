import Synchronization
import UnderstudyModel
import UnderstudyStore

/// Everything one API key owns: its interactions' id sequence, its clock, its journal, its scenario
/// progress and released holds. Keys never see each other's state, so parallel test workers with
/// different keys need no coordination.
public final class Tenant: Sendable {
    public let key: String
    let state: Mutex<TenantState>
    /// The request journal, under its own lock so that recording never holds up the clock or ids.
    let journal: Mutex<JournalBuffer>

    init(record: TenantRecord, journalCapacity: Int) {
        key = record.key
        state = Mutex(TenantState(record: record))
        journal = Mutex(JournalBuffer(capacity: journalCapacity))
    }
}

/// A bounded ring of journal entries: appending is O(1) even when full (the oldest entry is dropped).
struct JournalBuffer {
    let capacity: Int
    private var storage: [JournalEntry] = []
    private var start = 0
    private(set) var nextSequence: Int64 = 1

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func append(_ entry: JournalEntry) {
        var e = entry
        e.sequence = nextSequence
        nextSequence += 1
        if storage.count < capacity {
            storage.append(e)
        } else {
            storage[start] = e
            start = (start + 1) % capacity
        }
    }

    /// Oldest first.
    var entries: [JournalEntry] { Array(storage[start...] + storage[..<start]) }

    mutating func removeAll() {
        storage.removeAll()
        start = 0
    }
}

struct TenantState {
    var record: TenantRecord
    /// Offset added to the wall clock in real-clock mode (set/advance through the admin API).
    var realOffsetMillis: Int64 = 0
    /// Releases that came when no job of this key had the hold ahead: each lets the next job created
    /// with that hold skip it. `POST /_understudy/reset` forgets them with the rest of the tenant.
    var pendingHoldReleases: [String: Int] = [:]
    /// Per-scenario counters: how many requests each scenario matched, per step and fault.
    var scenarioCounters: [String: Int] = [:]
    /// Scenario chains in progress: interaction id → (scenario name, step index it answered).
    var scenarioChains: [String: ScenarioChainLink] = [:]
    /// Function call ids issued by scenario steps → the step, for stateless continuations.
    var scenarioCallChains: [String: ScenarioChainLink] = [:]
    /// Values recorded by scenario steps, for `{{ }}` references in later steps.
    var scenarioValues: [String: String] = [:]

    init(record: TenantRecord) { self.record = record }
}

/// Where an interaction sits in a scripted conversation.
struct ScenarioChainLink: Sendable, Hashable {
    var scenario: String
    /// 0-based index of the step that answered.
    var step: Int
    /// Id of the conversation's first interaction; scopes the values its steps recorded.
    var root: String
}

/// One request as the journal keeps it: enough to assert in a test what a client sent.
public struct JournalEntry: Sendable, Hashable {
    public var sequence: Int64
    /// The tenant's clock when the request arrived.
    public var time: String
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names lower-cased, in arrival order; repeated headers appear repeatedly.
    public var headers: [[String]]
    public var body: JSONValue?
    public var rawBody: String?
    public var status: Int
    public var interactionID: String?
    /// The interaction's status in the answer (create, get, cancel), for checks such as "stops polling".
    public var interactionStatus: String?
    /// Name of the scenario that answered (or refused, or injected a fault into) the request.
    public var scenario: String?
    /// 1-based step of that scenario which answered or whose expectation was violated.
    public var step: Int?
    /// A fault injected into a request: its scenario and 1-based index in that scenario's `faults`.
    public struct InjectedFault: Sendable, Hashable {
        public var scenario: String
        public var index: Int
        public init(scenario: String, index: Int) {
            self.scenario = scenario
            self.index = index
        }
    }
    /// The fault injected into the request, if any.
    public var fault: InjectedFault?
    /// Why a scripted conversation refused the request, when it did.
    public var violation: String?
    public var errorMessage: String?
    public var streamed: Bool
    public var route: String

    public init(sequence: Int64 = 0, time: String = "", method: String, path: String, query: [String: String], headers: [[String]], body: JSONValue?, rawBody: String?, status: Int, route: String) {
        self.sequence = sequence
        self.time = time
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.rawBody = rawBody
        self.status = status
        self.route = route
        self.streamed = false
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "sequence": .int(sequence), "time": .string(time), "method": .string(method), "path": .string(path),
            "query": .object(query.mapValues { .string($0) }),
            "headers": .array(headers.map { .array($0.map { .string($0) }) }),
            "status": .int(Int64(status)), "streamed": .bool(streamed), "route": .string(route),
        ]
        if let body { o["body"] = body }
        if let rawBody { o["raw_body"] = .string(rawBody) }
        if let interactionID { o["interaction_id"] = .string(interactionID) }
        if let interactionStatus { o["interaction_status"] = .string(interactionStatus) }
        if let scenario { o["scenario"] = .string(scenario) }
        if let step { o["step"] = .int(Int64(step)) }
        if let fault { o["fault"] = ["scenario": .string(fault.scenario), "index": .int(Int64(fault.index))] }
        if let violation { o["violation"] = .string(violation) }
        if let errorMessage { o["error"] = .string(errorMessage) }
        return .object(o)
    }
}
