import Logging
import Synchronization
import UnderstudyModel
import UnderstudyStore

/// Settings of the engine; every field has the default the README documents.
public struct EngineConfiguration: Sendable {
    public var seed: UInt64 = 0
    public var clock: ClockMode = .default
    public var wallClock: any WallClock = RealClock()
    public var paidRetentionSeconds: Int64 = 55 * 86_400
    public var freeRetentionSeconds: Int64 = 86_400
    public var defaultTier = "paid"
    /// Tier per API key ("paid" or "free"), overriding `defaultTier`.
    public var keyTiers: [String: String] = [:]
    public var catalog = Catalog()
    public var textChunkSize = 24
    public var eventDelayMillis = 0
    /// `byModel`: Gemini 3 models require thought signatures on replayed function calls (2.5 are lenient).
    public enum SignaturePolicy: String, Sendable, CaseIterable { case byModel = "by-model", strict, lenient }
    public var signaturePolicy = SignaturePolicy.byModel
    /// `unimplemented` reproduces the live service of Jan 2026, which answered every cancel with 404.
    public enum CancelBehaviour: String, Sendable, CaseIterable { case implemented, unimplemented }
    public var cancelBehaviour = CancelBehaviour.implemented
    /// Polls after which a background model interaction completes (1: the first poll sees the result).
    public var backgroundPolls = 1
    /// Polls after which a Deep Research interaction completes (2: the first poll sees it running).
    public var agentPolls = 2
    /// Clock seconds after which a background run completes even without polls.
    public var backgroundSeconds: Double = 10
    public var agentSeconds: Double = 20
    public var journalCapacity = 10_000
    /// Files API: seconds a file stays PROCESSING, and its lifetime.
    public var fileProcessingSeconds: Int64 = 2
    public var fileRetentionSeconds: Int64 = 48 * 3600
    /// Order of built-in tool blocks and text: `correct`, or `text-first` as the live service sometimes did.
    public enum BuiltinToolOrder: String, Sendable, CaseIterable { case correct, textFirst = "text-first" }
    public var builtinToolOrder = BuiltinToolOrder.correct
    /// Where scenario `fixture:` references are read from.
    public var fixturesDirectory = "fixtures"

    public init() {}
}

/// The result of a create: a JSON resource, or a stream of events.
public enum CreateOutcome: Sendable {
    case interaction(InteractionRecord)
    case stream(InteractionStream)
}

/// The interaction engine: lifecycle, chaining, background runs, retention, the responder and scenarios.
///
/// It knows nothing of HTTP or of any wire revision; the server decodes requests into `CreateRequest`s,
/// calls these methods, and encodes what comes back. All errors are `APIError`s.
public final class Engine: Sendable {
    public let configuration: EngineConfiguration
    public let identity: Identity
    public let store: SQLiteStore
    public let scenarios: ScenarioBook
    let responder: any Responder
    let logger: Logger
    let tenants = Mutex<[String: Tenant]>([:])
    let changes = ChangeBus()
    /// Serialises read-modify-write of one interaction (polls, cancel, delete).
    let mutations = KeyedLock()
    let fileSessions = FileSessions()
    private let resets = Atomic<Int>(0)

    public init(configuration: EngineConfiguration, store: SQLiteStore, logger: Logger = Logger(label: "understudy.engine")) {
        self.configuration = configuration
        self.identity = Identity(seed: configuration.seed)
        self.store = store
        self.responder = DefaultResponder()
        self.scenarios = ScenarioBook(loader: ScenarioLoader(fixturesDirectory: configuration.fixturesDirectory))
        self.logger = logger
    }

    // MARK: Tenants and clocks

    /// The tenant of an API key, loaded from the store or created on first use.
    public func tenant(_ key: String) async throws(APIError) -> Tenant {
        if let t = tenants.withLock({ $0[key] }) { return t }
        let stored: TenantRecord?
        let highWater: (sequence: Int64, created: Int64)?
        do {
            stored = try await store.loadTenant(key)
            highWater = try await store.highWater(tenant: key)
        } catch { throw storeFailure(error) }
        let start: Int64
        var tick: Int64 = 0
        switch configuration.clock {
        case .simulated(let s, let t):
            start = s
            tick = t
        case .real: start = configuration.wallClock.nowMillis()
        }
        var record = stored ?? TenantRecord(key: key, nextSequence: 1, clockMillis: start, tier: configuration.keyTiers[key] ?? configuration.defaultTier)
        // Stored creates do not rewrite the tenant row; continue after the newest stored interaction.
        if let highWater {
            record.nextSequence = max(record.nextSequence, highWater.sequence + 1)
            if case .simulated = configuration.clock {
                record.clockMillis = max(record.clockMillis, highWater.created * 1000 + tick)
            }
        }
        return tenants.withLock { map in
            if let existing = map[key] { return existing }
            let t = Tenant(record: record, journalCapacity: configuration.journalCapacity)
            map[key] = t
            return t
        }
    }

    /// The tenant's current time in milliseconds.
    public func nowMillis(_ tenant: Tenant) -> Int64 {
        tenant.state.withLock { s in
            switch configuration.clock {
            case .simulated: return s.record.clockMillis
            case .real: return configuration.wallClock.nowMillis() + s.realOffsetMillis
            }
        }
    }

    func nowSeconds(_ tenant: Tenant) -> Int64 { nowMillis(tenant) / 1000 }

    func retentionSeconds(_ tenant: Tenant) -> Int64 {
        let tier = tenant.state.withLock { $0.record.tier }
        return tier == "free" ? configuration.freeRetentionSeconds : configuration.paidRetentionSeconds
    }

    func storeFailure(_ error: any Error) -> APIError {
        logger.error("store failure: \(error)")
        return .internalError("Understudy could not access its database: \(error)")
    }

    // MARK: Loading

    /// A stored, unexpired interaction of this tenant, or 404.
    func load(_ id: String, tenant: Tenant, field: String? = nil) async throws(APIError) -> InteractionRecord {
        let found: InteractionRecord?
        do { found = try await store.load(tenant: tenant.key, id: id) } catch { throw storeFailure(error) }
        guard let record = found else {
            if let field {
                throw .notFound("Interaction '\(id)' given in '\(field)' was not found (unknown, deleted, expired, created with store=false, or owned by another API key).", field: field)
            }
            throw .interactionNotFound
        }
        if let expires = record.expiresAt, nowSeconds(tenant) >= expires {
            do { try await store.delete(tenant: tenant.key, id: id) } catch { throw storeFailure(error) }
            if let field {
                throw .notFound("Interaction '\(id)' given in '\(field)' has expired: it was removed after its retention period.", field: field)
            }
            throw .interactionNotFound
        }
        return record
    }

    /// The conversation a chain of interactions holds, oldest first.
    func chainHistory(from record: InteractionRecord, tenant: Tenant) async -> [Turn] {
        var records = [record]
        var cursor = record.previousInteractionID
        var guardCount = 0
        while let id = cursor, guardCount < 10_000 {
            guardCount += 1
            guard let r = try? await store.load(tenant: tenant.key, id: id) else { break }
            records.append(r)
            cursor = r.previousInteractionID
        }
        var turns: [Turn] = []
        for r in records.reversed() {
            turns.append(contentsOf: r.input)
            let outputs = r.outputs
            if !outputs.isEmpty { turns.append(Turn(role: .model, content: outputs)) }
        }
        return turns
    }

    // MARK: Create

    public func create(_ request: CreateRequest, tenantKey: String, headers: [String: String] = [:]) async throws(APIError) -> CreateOutcome {
        guard configuration.catalog.contains(request.target) else {
            switch request.target {
            case .model(let m):
                throw .notFound("models/\(m) is not found for API version v1beta, or is not supported for interactions.", field: "model")
            case .agent(let a):
                throw .notFound("agents/\(a) is not found for API version v1beta, or is not supported for interactions.", field: "agent")
            }
        }
        try RequestRules.check(request)
        let tenant = try await self.tenant(tenantKey)

        var previous: InteractionRecord?
        var earlier: [Turn] = []
        var chainPosition = 1
        if let previousID = request.previousInteractionID {
            let p = try await load(previousID, tenant: tenant, field: "previous_interaction_id")
            if p.status == .inProgress {
                throw .failedPrecondition(
                    "Interaction '\(previousID)' given in 'previous_interaction_id' is still in_progress; wait until it finishes before continuing the conversation.",
                    field: "previous_interaction_id")
            }
            previous = p
            earlier = await chainHistory(from: p, tenant: tenant)
            chainPosition = await chainLength(of: p, tenant: tenant) + 1
        }
        let model = request.target.name
        let strict: Bool
        switch configuration.signaturePolicy {
        case .byModel: strict = Catalog.validatesSignatures(model)
        case .strict: strict = true
        case .lenient: strict = false
        }
        try HistoryRules(identity: identity, strictSignatures: strict).check(earlier: earlier, request: request)

        // Allocate the id and the creation instant.
        let (sequence, createdMillis, tenantSnapshot) = tenant.state.withLock { s -> (Int64, Int64, TenantRecord) in
            let seq = s.record.nextSequence
            s.record.nextSequence += 1
            let now: Int64
            switch configuration.clock {
            case .simulated(_, let tick):
                now = s.record.clockMillis
                s.record.clockMillis += tick
            case .real:
                now = configuration.wallClock.nowMillis() + s.realOffsetMillis
                s.record.clockMillis = now
            }
            return (seq, now, s.record)
        }
        let created = createdMillis / 1000
        let ownToken = identity.interactionToken(tenant: tenant.key, sequence: sequence)
        let rootToken = previous.flatMap { Identity.tokens(ofInteractionID: $0.id)?.root } ?? ownToken
        let id = Identity.interactionID(rootToken: rootToken, ownToken: ownToken)

        var context = ResponseContext(
            tenant: tenant.key, request: request, history: earlier + request.input, previous: previous,
            chainPosition: chainPosition, interactionID: id, headers: headers, identity: identity, now: created)
        context.files = try await referencedFiles(request, tenant: tenant)
        context.builtinToolTextFirst = configuration.builtinToolOrder == .textFirst
        var reply: Reply
        if let scripted = try await scenarios.reply(to: context, tenant: tenant, engine: self) {
            reply = scripted
        } else {
            reply = try await responder.reply(to: context)
        }
        reply.outputs = Sealer(identity: identity).seal(reply.outputs)
        let usage = reply.usage ?? UsageMeter.measure(context: context, outputs: reply.outputs)

        var record = InteractionRecord(
            id: id, tenant: tenant.key, sequence: sequence, target: request.target, status: .inProgress, created: created,
            input: request.input, tools: request.tools, stored: request.store)
        record.previousInteractionID = request.previousInteractionID
        record.systemInstruction = request.systemInstruction
        record.background = request.background
        record.streamed = request.stream
        record.scenario = reply.scenario
        record.chunkPlan = ChunkPlan(
            textChunkSize: reply.textChunkSize ?? configuration.textChunkSize,
            eventDelayMillis: reply.eventDelayMillis ?? configuration.eventDelayMillis)
        if request.store { record.expiresAt = created + (reply.retentionSeconds ?? retentionSeconds(tenant)) }

        if request.background {
            let steps = reply.timeline ?? defaultTimeline(for: request.target)
            record.pendingRun = PendingRun(
                steps: steps, stepStartedAt: created, finalOutputs: reply.outputs, finalUsage: usage,
                finalStatus: reply.status, finalFailure: reply.failure)
            if let first = steps.first { appendNote(of: first, to: &record) }
            // Steps that advance immediately do so before the first answer.
            advance(&record, now: created, polls: 0)
        } else {
            record.outputs = reply.outputs
            record.usage = usage
            record.failure = reply.failure
            record.status = reply.status
            record.statusHistory.append(StatusChange(status: reply.status, at: created))
        }

        if request.store {
            do { try await store.save(record) } catch { throw storeFailure(error) }
        } else {
            do { try await store.saveTenant(tenantSnapshot) } catch { throw storeFailure(error) }
        }
        if request.stream {
            return .stream(makeStream(record: record, tenant: tenant, after: 0, faults: reply.streamFaults, countsAsPoll: false))
        }
        return .interaction(record)
    }

    func chainLength(of record: InteractionRecord, tenant: Tenant) async -> Int {
        var n = 1
        var cursor = record.previousInteractionID
        while let id = cursor, n < 10_000, let r = try? await store.load(tenant: tenant.key, id: id) {
            n += 1
            cursor = r.previousInteractionID
        }
        return n
    }

    func defaultTimeline(for target: Target) -> [PendingRun.Step] {
        if target.isAgent {
            return [PendingRun.Step(status: .inProgress, trigger: .afterPollsOrSeconds(configuration.agentPolls, configuration.agentSeconds))]
        }
        return [PendingRun.Step(status: .inProgress, trigger: .afterPollsOrSeconds(configuration.backgroundPolls, configuration.backgroundSeconds))]
    }

    // MARK: Get, delete, cancel

    /// GET without streaming: counts as a poll, so background runs advance.
    public func get(_ id: String, tenantKey: String) async throws(APIError) -> InteractionRecord {
        let tenant = try await self.tenant(tenantKey)
        var record = try await load(id, tenant: tenant)
        if record.pendingRun != nil {
            record = try await observe(record, tenant: tenant, polls: 1)
        }
        return record
    }

    public func delete(_ id: String, tenantKey: String) async throws(APIError) {
        let tenant = try await self.tenant(tenantKey)
        try await mutations.withLock("\(tenant.key)|\(id)") { () async throws(APIError) in
            _ = try await load(id, tenant: tenant)
            do { try await store.delete(tenant: tenant.key, id: id) } catch { throw storeFailure(error) }
        }
        changes.signal(tenant: tenant.key, id: id)
    }

    public func cancel(_ id: String, tenantKey: String) async throws(APIError) -> InteractionRecord {
        if configuration.cancelBehaviour == .unimplemented { throw .notFound("Method not found.") }
        let tenant = try await self.tenant(tenantKey)
        let record = try await mutations.withLock("\(tenant.key)|\(id)") { () async throws(APIError) -> InteractionRecord in
            var record = try await load(id, tenant: tenant)
            guard record.background, record.status == .inProgress else {
                let why = record.background ? "it is already \(record.status.rawValue)" : "it is not a background interaction"
                throw .failedPrecondition("Interaction '\(id)' cannot be cancelled: \(why). Only running background interactions can be cancelled.")
            }
            let now = nowSeconds(tenant)
            record.pendingRun = nil
            record.status = .cancelled
            record.updated = max(record.updated, now)
            record.statusHistory.append(StatusChange(status: .cancelled, at: record.updated))
            record.revision += 1
            do { try await store.update(record) } catch { throw storeFailure(error) }
            return record
        }
        changes.signal(tenant: tenant.key, id: id)
        return record
    }

    // MARK: Background runs

    /// Applies polls and the clock to a record's pending run and persists any change.
    ///
    /// Read-modify-write of one interaction is serialised (`mutations`), and the write only updates an
    /// existing row, so a poll racing a cancel or a delete can neither undo the cancel nor bring the
    /// interaction back.
    func observe(_ record: InteractionRecord, tenant: Tenant, polls: Int) async throws(APIError) -> InteractionRecord {
        let (updated, changed) = try await mutations.withLock("\(tenant.key)|\(record.id)") { () async throws(APIError) -> (InteractionRecord, Bool) in
            var updated = try await load(record.id, tenant: tenant)
            let changed = advance(&updated, now: nowSeconds(tenant), polls: polls)
            if changed || (polls > 0 && updated.pendingRun != nil) {
                updated.revision += 1
                do { try await store.update(updated) } catch { throw storeFailure(error) }
            }
            return (updated, changed)
        }
        if changed { changes.signal(tenant: tenant.key, id: record.id) }
        return updated
    }

    /// Moves a pending run forward as far as its triggers allow. Returns whether the visible state changed.
    /// A hold never fires here: releasing it rewrites the waiting step (`releaseHold`).
    @discardableResult
    func advance(_ record: inout InteractionRecord, now: Int64, polls: Int) -> Bool {
        guard var run = record.pendingRun else { return false }
        run.pollsInStep += polls
        var changed = false
        while let step = run.steps.first {
            let elapsed = Double(now - run.stepStartedAt)
            let fired: Bool
            switch step.trigger {
            case .immediately: fired = true
            case .afterSeconds(let s): fired = elapsed >= s
            case .afterPolls(let n): fired = run.pollsInStep >= n
            case .afterPollsOrSeconds(let n, let s): fired = run.pollsInStep >= n || elapsed >= s
            case .hold: fired = false
            }
            guard fired else { break }
            run.steps.removeFirst()
            run.stepStartedAt = now
            run.pollsInStep = 0
            if let next = run.steps.first { appendNote(of: next, to: &record) }
            changed = true
        }
        if run.steps.isEmpty {
            record.outputs.append(contentsOf: run.finalOutputs)
            record.usage = run.finalUsage
            record.failure = run.finalFailure
            record.status = run.finalStatus
            record.updated = max(record.updated, now)
            record.statusHistory.append(StatusChange(status: run.finalStatus, at: record.updated))
            record.pendingRun = nil
            return true
        }
        if changed { record.updated = max(record.updated, now) }
        record.pendingRun = run
        return changed
    }

    /// A step's note is shown (as a thought summary) while the step runs.
    func appendNote(of step: PendingRun.Step, to record: inout InteractionRecord) {
        guard let note = step.note else { return }
        record.outputs.append(Sealer(identity: identity).seal([.thought(signature: "", summary: [note])])[0])
    }

    /// Runs every due background step of a tenant (after the clock moved or a hold was released).
    func advanceAll(tenant: Tenant) async {
        let ids = (try? await store.interactionIDs(tenant: tenant.key, limit: 100_000)) ?? []
        for id in ids {
            guard let record = try? await store.load(tenant: tenant.key, id: id), record.pendingRun != nil else { continue }
            _ = try? await observe(record, tenant: tenant, polls: 0)
        }
    }

    // MARK: Streams

    /// GET with `stream=true`: replays the log after `lastEventID`, then follows a running interaction.
    public func stream(_ id: String, tenantKey: String, lastEventID: String?) async throws(APIError) -> InteractionStream {
        let tenant = try await self.tenant(tenantKey)
        let record = try await load(id, tenant: tenant)
        var after = 0
        if let lastEventID {
            let count = EventLog.events(for: record).count
            guard let position = EventLog.position(ofEventID: lastEventID), position <= count else {
                throw .invalidArgument(
                    "Unknown last_event_id '\(lastEventID)' for interaction '\(id)': its stream so far has \(count) events, \(EventLog.eventID(1)) to \(EventLog.eventID(count)).",
                    field: "last_event_id")
            }
            after = position
        }
        return makeStream(record: record, tenant: tenant, after: after, faults: StreamFaults(), countsAsPoll: true)
    }

    func makeStream(record: InteractionRecord, tenant: Tenant, after: Int, faults: StreamFaults, countsAsPoll: Bool) -> InteractionStream {
        let (items, continuation) = AsyncStream<StreamItem>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            await self.pump(record: record, tenant: tenant, after: after, faults: faults, into: continuation)
        }
        continuation.onTermination = { _ in task.cancel() }
        return InteractionStream(interactionID: record.id, scenario: record.scenario, items: items, stop: { continuation.finish() })
    }

    func pump(record initial: InteractionRecord, tenant: Tenant, after: Int, faults: StreamFaults, into out: AsyncStream<StreamItem>.Continuation) async {
        defer { out.finish() }
        var record = initial
        var cursor = after
        var sent = 0
        let delay = faults.dripMillis ?? record.chunkPlan.eventDelayMillis
        while !Task.isCancelled {
            let events = EventLog.events(for: record)
            while cursor < events.count {
                if let cut = faults.cutAfterEvents, sent >= cut {
                    out.yield(.cut)
                    return
                }
                if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
                if Task.isCancelled { return }
                let event = events[cursor]
                cursor += 1
                sent += 1
                if faults.malformedEvent == sent {
                    out.yield(.malformed(event))
                } else {
                    out.yield(.event(event))
                }
                if faults.unknownEventAfter == sent {
                    out.yield(.unknownEvent(type: "interaction.sparkle", payload: [
                        "event_type": "interaction.sparkle", "event_id": .string(event.id + "-sparkle"),
                        "sparkle": ["intensity": 3, "note": "an event type from the future"],
                    ]))
                }
            }
            if record.status.isTerminal { return }
            // A running background interaction: an attached stream counts as polling.
            let waiter = changes.waiter(tenant: tenant.key, id: record.id)
            do {
                let fresh = try await load(record.id, tenant: tenant)
                let observed = try await observe(fresh, tenant: tenant, polls: 1)
                if EventLog.events(for: observed).count > cursor || observed.status.isTerminal {
                    record = observed
                    continue
                }
                record = observed
            } catch {
                // Deleted or expired while streaming: end the stream.
                return
            }
            await waiter.wait(timeoutMillis: configuration.clock == .real ? 200 : 1000)
            changes.remove(waiter, tenant: tenant.key, id: record.id)
        }
    }

    // MARK: Admin

    /// Moves a tenant's clock forward (or sets it), then runs due background steps and purges expired data.
    public func advanceClock(tenantKey: String, byMillis delta: Int64? = nil, toMillis target: Int64? = nil) async throws(APIError) -> Int64 {
        let tenant = try await self.tenant(tenantKey)
        let snapshot = tenant.state.withLock { s -> TenantRecord in
            let current: Int64
            switch configuration.clock {
            case .simulated: current = s.record.clockMillis
            case .real: current = configuration.wallClock.nowMillis() + s.realOffsetMillis
            }
            let next = target ?? (current + (delta ?? 0))
            switch configuration.clock {
            case .simulated: s.record.clockMillis = next
            case .real:
                s.realOffsetMillis += next - current
                s.record.clockMillis = next
            }
            return s.record
        }
        do {
            try await store.saveTenant(snapshot)
            try await store.purgeExpired(tenant: tenant.key, now: nowSeconds(tenant))
            try await store.purgeExpiredFiles(tenant: tenant.key, nowMillis: nowMillis(tenant))
        } catch { throw storeFailure(error) }
        await advanceAll(tenant: tenant)
        changes.signalAll(tenant: tenant.key)
        return nowMillis(tenant)
    }

    public func setTier(_ tier: String, tenantKey: String) async throws(APIError) {
        let tenant = try await self.tenant(tenantKey)
        let snapshot = tenant.state.withLock { s -> TenantRecord in
            s.record.tier = tier
            return s.record
        }
        do { try await store.saveTenant(snapshot) } catch { throw storeFailure(error) }
    }

    /// Forgets one tenant (or all): interactions, files, clock, journal, scenario progress.
    public func reset(tenantKey: String?) async throws(APIError) {
        do { try await store.reset(tenant: tenantKey) } catch { throw storeFailure(error) }
        resets.add(1, ordering: .relaxed)
        tenants.withLock { map in
            if let tenantKey { map[tenantKey] = nil } else { map.removeAll() }
        }
    }

    /// How many resets have happened. A reset lets ids be issued again (for other content), so anything
    /// cached by (id, revision) outside the engine must also be keyed by this.
    public var resetCount: Int { resets.load(ordering: .relaxed) }

    public var knownTenantKeys: [String] { tenants.withLock { Array($0.keys).sorted() } }

    /// Purges every loaded tenant's interactions and files whose retention ended. The server runs this
    /// periodically with `--clock real`; simulated clocks purge when advanced and on access.
    public func purgeExpired() async {
        let all = tenants.withLock { Array($0.values) }
        for tenant in all {
            _ = try? await store.purgeExpired(tenant: tenant.key, now: nowSeconds(tenant))
            _ = try? await store.purgeExpiredFiles(tenant: tenant.key, nowMillis: nowMillis(tenant))
        }
    }

    // MARK: Journal

    public func record(_ entry: JournalEntry, tenantKey: String) async {
        guard let tenant = try? await self.tenant(tenantKey) else { return }
        var e = entry
        e.time = Timestamp.rfc3339(nowSeconds(tenant))
        tenant.journal.withLock { $0.append(e) }
    }

    public func journal(tenantKey: String) -> [JournalEntry] {
        tenants.withLock { $0[tenantKey] }?.journal.withLock { $0.entries } ?? []
    }

    public func clearJournal(tenantKey: String) {
        tenants.withLock { $0[tenantKey] }?.journal.withLock { $0.removeAll() }
    }
}

/// One item of an outgoing stream: an event, or a scripted transport fault.
public enum StreamItem: Sendable {
    case event(StreamEvent)
    /// The event, but its data line must be sent corrupted (not JSON).
    case malformed(StreamEvent)
    /// Drop the connection now, without ending the chunked body.
    case cut
    /// An event outside the log, of a type no client knows (not resumable, not stored).
    case unknownEvent(type: String, payload: JSONValue)
}

/// The events of one interaction as they become available.
public struct InteractionStream: Sendable {
    public let interactionID: String
    /// The scenario (`name#step`) that answered the interaction, as in `InteractionRecord.scenario`.
    public let scenario: String?
    public let items: AsyncStream<StreamItem>
    /// Ends the stream early (the client went away); the interaction itself is unaffected.
    public let stop: @Sendable () -> Void
}

/// Wakes streams that follow a running interaction when it changes.
final class ChangeBus: Sendable {
    struct Key: Hashable {
        var tenant: String
        var id: String
    }
    final class Waiter: Sendable {
        let stream: AsyncStream<Void>
        let continuation: AsyncStream<Void>.Continuation
        init() { (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1)) }

        func wait(timeoutMillis: Int) async {
            let stream = self.stream
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    var it = stream.makeAsyncIterator()
                    _ = await it.next()
                }
                group.addTask { try? await Task.sleep(for: .milliseconds(timeoutMillis)) }
                await group.next()
                group.cancelAll()
            }
        }
    }
    let waiters = Mutex<[Key: [Waiter]]>([:])

    func waiter(tenant: String, id: String) -> Waiter {
        let w = Waiter()
        waiters.withLock { $0[Key(tenant: tenant, id: id), default: []].append(w) }
        return w
    }

    func remove(_ w: Waiter, tenant: String, id: String) {
        waiters.withLock { map in
            let key = Key(tenant: tenant, id: id)
            map[key]?.removeAll { $0 === w }
            if map[key]?.isEmpty == true { map[key] = nil }
        }
    }

    func signal(tenant: String, id: String) {
        let ws = waiters.withLock { $0.removeValue(forKey: Key(tenant: tenant, id: id)) ?? [] }
        ws.forEach { $0.continuation.yield() }
    }

    func signalAll(tenant: String) {
        let ws = waiters.withLock { map -> [Waiter] in
            let keys = map.keys.filter { $0.tenant == tenant }
            return keys.flatMap { map.removeValue(forKey: $0) ?? [] }
        }
        ws.forEach { $0.continuation.yield() }
    }
}

/// An async mutual-exclusion lock per key, for short critical sections that await the store.
final class KeyedLock: Sendable {
    private let state = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    func withLock<T>(_ key: String, _ body: () async throws(APIError) -> T) async throws(APIError) -> T {
        await lock(key)
        defer { unlock(key) }
        return try await body()
    }

    private func lock(_ key: String) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { s -> Bool in
                if s[key] == nil {
                    s[key] = []
                    return true
                }
                s[key]!.append(c)
                return false
            }
            if acquired { c.resume() }
        }
    }

    private func unlock(_ key: String) {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard var waiters = s[key], !waiters.isEmpty else {
                s[key] = nil
                return nil
            }
            let first = waiters.removeFirst()
            s[key] = waiters
            return first
        }
        next?.resume()
    }
}
