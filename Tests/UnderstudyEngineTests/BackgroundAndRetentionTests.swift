import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

@Suite("Engine: background runs, cancel, retention")
struct BackgroundAndRetentionTests {
    let background = #"{"model":"gemini-2.5-flash","input":"Write a long essay","background":true}"#

    @Test func backgroundCompletesOnTheFirstPollByDefault() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(background)
        #expect(r.status == .inProgress)
        #expect(r.outputs.isEmpty)
        #expect(r.usage == nil)
        #expect(r.background)
        #expect(LegacyEncoder().interaction(r)["outputs"] == nil)
        let polled = try await engine.get(r.id, tenantKey: "key-1")
        #expect(polled.status == .completed)
        #expect(answer(polled).contains("Write a long essay"))
        #expect(polled.usage != nil)
        #expect(polled.pendingRun == nil)
        #expect(polled.statusHistory.map(\.status) == [.inProgress, .completed])
        // Further polls change nothing.
        #expect(try await engine.get(r.id, tenantKey: "key-1").outputs == polled.outputs)
    }

    @Test(arguments: [1, 2, 3, 5])
    func backgroundCompletesAfterTheConfiguredPolls(_ polls: Int) async throws {
        let engine = try makeEngine { $0.backgroundPolls = polls }
        let r = try await engine.createRecord(background)
        var seen: [InteractionStatus] = []
        for _ in 0..<(polls + 1) {
            seen.append(try await engine.get(r.id, tenantKey: "key-1").status)
        }
        #expect(seen == Array(repeating: .inProgress, count: polls - 1) + [.completed, .completed])
    }

    @Test func advancingTheClockCompletesTimeTriggeredRuns() async throws {
        let engine = try makeEngine {
            $0.backgroundPolls = 1000
            $0.backgroundSeconds = 30
        }
        let r = try await engine.createRecord(background)
        _ = try await engine.advanceClock(tenantKey: "key-1", byMillis: 10_000)
        #expect(try await engine.store.load(tenant: "key-1", id: r.id)?.status == .inProgress)
        let now = try await engine.advanceClock(tenantKey: "key-1", byMillis: 20_000)
        #expect(now == ClockMode.defaultStartMillis + 1000 + 30_000)
        // Completed by the clock alone: the stored record is already final before anyone polls.
        let stored = try #require(try await engine.store.load(tenant: "key-1", id: r.id))
        #expect(stored.status == .completed)
        #expect(stored.updated == r.created + 31)
        #expect(Timestamp.rfc3339(stored.updated) == "2025-12-15T10:00:31Z")
    }

    @Test func backgroundOutputsMatchAForegroundRunOfTheSameRequest() async throws {
        let a = try makeEngine()
        let b = try makeEngine()
        let fg = try await a.createRecord(#"{"model":"gemini-2.5-flash","input":"Write a long essay"}"#)
        let bg = try await b.createRecord(background)
        let done = try await b.get(bg.id, tenantKey: "key-1")
        #expect(done.outputs.count == fg.outputs.count)
        #expect(answer(done) == answer(fg))
    }

    @Test func cancelStopsARunningInteraction() async throws {
        let engine = try makeEngine { $0.backgroundPolls = 10 }
        let r = try await engine.createRecord(background)
        _ = try await engine.advanceClock(tenantKey: "key-1", byMillis: 4_000)
        let cancelled = try await engine.cancel(r.id, tenantKey: "key-1")
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.outputs.isEmpty)
        #expect(cancelled.pendingRun == nil)
        #expect(cancelled.updated == r.created + 5)
        #expect(cancelled.statusHistory.last?.status == .cancelled)
        #expect(LegacyEncoder().interaction(cancelled)["outputs"] == [])
        // It stays cancelled, however long one polls or waits.
        for _ in 0..<12 { _ = try await engine.get(r.id, tenantKey: "key-1") }
        _ = try await engine.advanceClock(tenantKey: "key-1", byMillis: 60_000)
        #expect(try await engine.get(r.id, tenantKey: "key-1").status == .cancelled)

        let second = await apiError { try await engine.cancel(r.id, tenantKey: "key-1") }
        #expect(second?.httpStatus == 400)
        #expect(second?.status == "FAILED_PRECONDITION")
        #expect(second?.message.contains("already cancelled") == true)
    }

    @Test func cancelOnAForegroundOrFinishedInteractionIsAFailedPrecondition() async throws {
        let engine = try makeEngine()
        let fg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#)
        let e = await apiError { try await engine.cancel(fg.id, tenantKey: "key-1") }
        #expect(e?.httpStatus == 400)
        #expect(e?.status == "FAILED_PRECONDITION")
        #expect(e?.message.contains("not a background interaction") == true)

        let bg = try await engine.createRecord(background)
        _ = try await engine.get(bg.id, tenantKey: "key-1")
        let finished = await apiError { try await engine.cancel(bg.id, tenantKey: "key-1") }
        #expect(finished?.status == "FAILED_PRECONDITION")
        #expect(finished?.message.contains("already completed") == true)

        let unknown = await apiError { try await engine.cancel("v1_unknown", tenantKey: "key-1") }
        #expect(unknown == .interactionNotFound)
    }

    @Test func cancelCanBeConfiguredAsUnimplemented() async throws {
        let engine = try makeEngine { $0.cancelBehaviour = .unimplemented }
        let bg = try await engine.createRecord(background)
        let e = await apiError { try await engine.cancel(bg.id, tenantKey: "key-1") }
        #expect(e == APIError.notFound("Method not found."))
    }

    // MARK: Retention

    @Test func paidRetentionIs55Days() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"keep me"}"#)
        #expect(r.expiresAt == r.created + 55 * 86_400)
        // The clock is at created + 1 s; one second before expiry it is still there.
        _ = try await engine.advanceClock(tenantKey: "key-1", byMillis: (55 * 86_400 - 2) * 1000)
        #expect(try await engine.get(r.id, tenantKey: "key-1").id == r.id)
        #expect(try await engine.store.interactionCount(tenant: "key-1") == 1)
        _ = try await engine.advanceClock(tenantKey: "key-1", byMillis: 1000)
        let e = await apiError { try await engine.get(r.id, tenantKey: "key-1") }
        #expect(e == .interactionNotFound)
        // Purged from SQLite, not merely hidden.
        #expect(try await engine.store.interactionCount(tenant: "key-1") == 0)
        let chained = await engine.createError(#"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":"\#(r.id)"}"#)
        #expect(chained?.httpStatus == 404)
        #expect(chained?.field == "previous_interaction_id")
    }

    @Test func fiftyFiveDaysLaterEverythingIsGone() async throws {
        let engine = try makeEngine()
        var ids: [String] = []
        for i in 0..<5 { ids.append(try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"n\#(i)"}"#).id) }
        _ = try await engine.advanceClock(tenantKey: "key-1", byMillis: 55 * 86_400 * 1000)
        #expect(try await engine.store.interactionCount(tenant: "key-1") == 0)
        for id in ids {
            let e = await apiError { try await engine.delete(id, tenantKey: "key-1") }
            #expect(e?.httpStatus == 404)
        }
    }

    @Test func expiryIsCheckedOnReadEvenWithoutAClockAdvance() async throws {
        // A real clock that jumps: the record is found expired on access and deleted then.
        let engine = try makeEngine {
            $0.clock = .real
            $0.wallClock = FixedClock(millis: 1_765_792_800_000)
        }
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#)
        let jumped = Engine(configuration: {
            var c = engine.configuration
            c.wallClock = FixedClock(millis: 1_765_792_800_000 + 56 * 86_400_000)
            return c
        }(), store: engine.store)
        let e = await apiError { try await jumped.get(r.id, tenantKey: "key-1") }
        #expect(e == .interactionNotFound)
        #expect(try await engine.store.interactionCount() == 0)
    }

    @Test(arguments: ["config", "admin"])
    func freeTierKeepsOneDay(_ how: String) async throws {
        let engine = try makeEngine { if how == "config" { $0.keyTiers = ["free-key": "free"] } }
        if how == "admin" { try await engine.setTier("free", tenantKey: "free-key") }
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#, tenant: "free-key")
        let paid = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#, tenant: "paid-key")
        #expect(r.expiresAt == r.created + 86_400)
        _ = try await engine.advanceClock(tenantKey: "free-key", byMillis: 86_400 * 1000)
        let e = await apiError { try await engine.get(r.id, tenantKey: "free-key") }
        #expect(e == .interactionNotFound)
        #expect(try await engine.store.interactionCount(tenant: "free-key") == 0)
        #expect(try await engine.get(paid.id, tenantKey: "paid-key").id == paid.id)
    }

    @Test func clockCanBeSetAndTenantsStateSurvivesInTheStore() async throws {
        let store = try SQLiteStore(path: ":memory:")
        var c = EngineConfiguration()
        c.seed = 5
        let engine = Engine(configuration: c, store: store)
        let first = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a"}"#)
        let target = Timestamp.parse("2026-01-01T00:00:00Z")! * 1000
        #expect(try await engine.advanceClock(tenantKey: "key-1", toMillis: target) == target)
        // A second engine on the same store (a restart) continues the sequence and the clock.
        let restarted = Engine(configuration: c, store: store)
        let second = try await restarted.createRecord(#"{"model":"gemini-2.5-flash","input":"b"}"#)
        #expect(second.sequence == first.sequence + 1)
        #expect(Timestamp.rfc3339(second.created) == "2026-01-01T00:00:00Z")
        #expect(second.id != first.id)
        #expect(try await restarted.get(first.id, tenantKey: "key-1") == first)
    }

    @Test func resetForgetsATenant() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a"}"#)
        _ = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a"}"#, tenant: "other")
        try await engine.reset(tenantKey: "key-1")
        let e = await apiError { try await engine.get(r.id, tenantKey: "key-1") }
        #expect(e == .interactionNotFound)
        let again = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a"}"#)
        #expect(again.id == r.id)  // the sequence and clock start over
        #expect(try await engine.store.interactionCount(tenant: "other") == 1)
    }
}

struct FixedClock: WallClock {
    var millis: Int64
    func nowMillis() -> Int64 { millis }
}

@Suite("Engine: concurrent writers")
struct ConcurrentWriterTests {
    /// A poll that read the record before a cancel and saves after it (the stream pump or a GET racing
    /// a cancel) must not undo the cancel.
    @Test func aStalePollCannotUndoACancel() async throws {
        let engine = try makeEngine { $0.backgroundPolls = 100 }
        let bg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","background":true}"#)
        let tenant = try await engine.tenant("key-1")
        let stale = try #require(try await engine.store.load(tenant: "key-1", id: bg.id))
        let cancelled = try await engine.cancel(bg.id, tenantKey: "key-1")
        #expect(cancelled.status == .cancelled)
        _ = try await engine.observe(stale, tenant: tenant, polls: 1)
        #expect(try await engine.get(bg.id, tenantKey: "key-1").status == .cancelled)
        // And the database agrees with what the engine serves.
        let reopened = Engine(configuration: engine.configuration, store: engine.store)
        #expect(try await reopened.get(bg.id, tenantKey: "key-1").status == .cancelled)
    }

    /// A poll that read the record before a delete and saves after it must not bring it back.
    @Test func aStalePollCannotResurrectADeletedInteraction() async throws {
        let engine = try makeEngine { $0.backgroundPolls = 100 }
        let bg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","background":true}"#)
        let tenant = try await engine.tenant("key-1")
        let stale = try #require(try await engine.store.load(tenant: "key-1", id: bg.id))
        try await engine.delete(bg.id, tenantKey: "key-1")
        _ = try? await engine.observe(stale, tenant: tenant, polls: 1)
        let e = await apiError { try await engine.get(bg.id, tenantKey: "key-1") }
        #expect(e == .interactionNotFound)
        #expect(try await engine.store.load(tenant: "key-1", id: bg.id) == nil)
    }
}
