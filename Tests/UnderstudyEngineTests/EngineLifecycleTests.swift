import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

@Suite("Engine: create, ids, chaining, store")
struct EngineLifecycleTests {
    @Test func createCompletesWithADefaultReply() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"Tell me a joke"}"#)
        #expect(r.status == .completed)
        #expect(r.id.hasPrefix("v1_"))
        #expect(r.target == .model("gemini-2.5-flash"))
        #expect(Timestamp.rfc3339(r.created) == "2025-12-15T10:00:00Z")
        #expect(r.updated == r.created)
        #expect(r.outputs.first?.type == "thought")
        #expect(r.outputs.first?.signature?.isEmpty == false)
        #expect(answer(r).contains("You said: \"Tell me a joke\""))
        #expect(answer(r).contains("saw 1 turn of context"))
        #expect(r.statusHistory.map(\.status) == [.inProgress, .completed])
        let usage = try #require(r.usage)
        #expect(usage.totalInput > 0 && usage.totalOutput > 0 && usage.reasoning > 0)
        #expect(usage.total == usage.totalInput + usage.totalOutput + usage.reasoning + usage.totalToolUse)
        #expect(try await engine.get(r.id, tenantKey: "key-1") == r)
    }

    @Test func theSimulatedClockTicksOneSecondPerCreate() async throws {
        let engine = try makeEngine()
        var created: [String] = []
        for i in 0..<3 {
            created.append(Timestamp.rfc3339(try await engine.createRecord(#"{"model":"gemini-2.5-flash-lite","input":"n\#(i)"}"#).created))
        }
        #expect(created == ["2025-12-15T10:00:00Z", "2025-12-15T10:00:01Z", "2025-12-15T10:00:02Z"])
    }

    @Test func flashLiteDoesNotThinkUnlessAsked() async throws {
        let engine = try makeEngine()
        let plain = try await engine.createRecord(#"{"model":"gemini-2.5-flash-lite","input":"x"}"#)
        #expect(plain.outputs.map(\.type) == ["text"])
        let thinking = try await engine.createRecord(#"{"model":"gemini-2.5-flash-lite","input":"x","generation_config":{"thinking_level":"low"}}"#)
        #expect(thinking.outputs.map(\.type) == ["thought", "text"])
        let noSummary = try await engine.createRecord(#"{"model":"gemini-3-flash-preview","input":"x","generation_config":{"thinking_summaries":"none"}}"#)
        #expect(noSummary.outputs.first?.fields["summary"] == nil)
        #expect(noSummary.outputs.first?.signature?.isEmpty == false)
    }

    // MARK: Determinism

    static let script = [
        #"{"model":"gemini-3-flash-preview","input":"first"}"#,
        #"{"model":"gemini-2.5-flash","input":[{"type":"text","text":"second"}],"tools":[\#(weatherTool)]}"#,
        #"{"model":"gemini-2.5-pro","input":"third","system_instruction":"Be brief.","generation_config":{"thinking_level":"medium"}}"#,
    ]

    func run(_ engine: Engine, tenant: String = "key-1") async throws -> [InteractionRecord] {
        var out: [InteractionRecord] = []
        for body in Self.script { out.append(try await engine.createRecord(body, tenant: tenant)) }
        // And a chained turn.
        let chained = try await engine.createRecord(
            #"{"model":"gemini-3-flash-preview","input":"fourth","previous_interaction_id":"\#(out[0].id)"}"#, tenant: tenant)
        return out + [chained]
    }

    @Test func sameSeedGivesEqualRecords() async throws {
        let a = try await run(try makeEngine(seed: 7))
        let b = try await run(try makeEngine(seed: 7))
        #expect(a == b)
        #expect(a.map { LegacyEncoder().interaction($0).serialized() } == b.map { LegacyEncoder().interaction($0).serialized() })
    }

    @Test func otherSeedGivesOtherIdsAndSignatures() async throws {
        let a = try await run(try makeEngine(seed: 7))
        let b = try await run(try makeEngine(seed: 8))
        for (x, y) in zip(a, b) {
            #expect(x.id != y.id)
        }
        #expect(a[0].outputs[0].signature != b[0].outputs[0].signature)
        // The text does not depend on the seed, the call id does.
        #expect(answer(a[0]) == answer(b[0]))
        #expect(a[1].outputs.last?.id != b[1].outputs.last?.id)
    }

    @Test func otherTenantGivesOtherIds() async throws {
        let engine = try makeEngine()
        let a = try await run(engine, tenant: "alice")
        let b = try await run(engine, tenant: "bob")
        #expect(Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
        // Tenants do not share a sequence or a clock.
        #expect(a.map(\.created) == b.map(\.created))
        #expect(a.map(\.sequence) == b.map(\.sequence))
        // Nor can they see each other's interactions.
        let e = await apiError { try await engine.get(a[0].id, tenantKey: "bob") }
        #expect(e?.httpStatus == 404)
    }

    @Test func idsEncodeTheConversationRoot() async throws {
        let engine = try makeEngine()
        let first = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a"}"#)
        let second = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"b","previous_interaction_id":"\#(first.id)"}"#)
        let third = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"c","previous_interaction_id":"\#(second.id)"}"#)
        let t1 = try #require(Identity.tokens(ofInteractionID: first.id))
        let t2 = try #require(Identity.tokens(ofInteractionID: second.id))
        let t3 = try #require(Identity.tokens(ofInteractionID: third.id))
        #expect(t1.root == t1.own)
        #expect(t2.root == t1.own && t3.root == t1.own)
        #expect(Set([t1.own, t2.own, t3.own]).count == 3)
        #expect([t1.own, t2.own, t3.own].allSatisfy { $0.utf8.count == 23 })
        #expect(third.previousInteractionID == second.id)
        #expect(Identity.tokens(ofInteractionID: "v1_nonsense") == nil)
        #expect(Identity.tokens(ofInteractionID: "abc") == nil)
    }

    // MARK: Chaining

    @Test func chainingCountsEarlierTurns() async throws {
        let engine = try makeEngine()
        var previous: String?
        var inputTokens: [Int] = []
        for (n, expected) in [(1, "saw 1 turn of"), (2, "saw 3 turns of"), (3, "saw 5 turns of"), (4, "saw 7 turns of")] {
            var body: [String: JSONValue] = ["model": "gemini-2.5-flash", "input": .string("message \(n)")]
            if let previous { body["previous_interaction_id"] = .string(previous) }
            let r = try await engine.createRecord(.object(body))
            #expect(answer(r).contains(expected), "\(answer(r))")
            #expect(answer(r).contains("You said: \"message \(n)\""))
            #expect(r.previousInteractionID == previous)
            inputTokens.append(r.usage?.totalInput ?? 0)
            previous = r.id
        }
        #expect(inputTokens == inputTokens.sorted() && Set(inputTokens).count == 4)
    }

    @Test func settingsAreNotInherited() async throws {
        let engine = try makeEngine()
        // system_instruction
        let s1 = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a","system_instruction":"Talk like a pirate."}"#)
        #expect(answer(s1).contains("System instruction: \"Talk like a pirate.\""))
        let s2 = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"b","previous_interaction_id":"\#(s1.id)"}"#)
        #expect(!answer(s2).contains("System instruction"))

        // generation_config: thinking on a model that does not think by default
        let g1 = try await engine.createRecord(#"{"model":"gemini-2.5-flash-lite","input":"a","generation_config":{"thinking_level":"high"}}"#)
        #expect(g1.outputs.first?.type == "thought")
        let g2 = try await engine.createRecord(#"{"model":"gemini-2.5-flash-lite","input":"b","previous_interaction_id":"\#(g1.id)"}"#)
        #expect(g2.outputs.map(\.type) == ["text"])

        // tools: a follow-up without tools cannot call the function
        let t1 = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"weather?","tools":[\#(weatherTool)]}"#)
        #expect(t1.status == .requiresAction)
        let call = try #require(t1.pendingCalls.first)
        let t2 = try await engine.createRecord(.object([
            "model": "gemini-2.5-flash", "previous_interaction_id": .string(t1.id),
            "input": [["type": "function_result", "call_id": .string(call.id ?? ""), "name": "get_weather", "result": "Sunny"]],
        ]))
        #expect(t2.status == .completed)
        let t3 = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"and tomorrow?","previous_interaction_id":"\#(t2.id)"}"#)
        #expect(t3.status == .completed)
        #expect(!t3.outputs.contains { $0.type == "function_call" })
        #expect(t3.tools.isEmpty)
        let t4 = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"and tomorrow?","previous_interaction_id":"\#(t2.id)","tools":[\#(weatherTool)]}"#)
        #expect(t4.status == .requiresAction)
    }

    @Test func statelessHistoryIsEquivalentToChaining() async throws {
        let engine = try makeEngine()
        let first = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"Hello there"}"#)
        let chained = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"And again","previous_interaction_id":"\#(first.id)"}"#)
        let history: JSONValue = .array([
            ["role": "user", "content": "Hello there"],
            ["role": "model", "content": .array(first.outputs.map(\.json))],
            ["role": "user", "content": "And again"],
        ])
        let stateless = try await engine.createRecord(.object(["model": "gemini-2.5-flash", "input": history]))
        #expect(answer(stateless) == answer(chained))
        #expect(answer(stateless).contains("saw 3 turns of context"))
        #expect(stateless.outputs[0].summaryTexts == chained.outputs[0].summaryTexts)
        #expect(stateless.usage?.totalInput == chained.usage?.totalInput)
        #expect(stateless.previousInteractionID == nil)
    }

    // MARK: store and previous_interaction_id

    @Test func storeFalseIsNotRetrievableNorUsableAsPrevious() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"secret","store":false}"#)
        #expect(r.status == .completed)
        #expect(r.id.hasPrefix("v1_"))
        #expect(r.stored == false)
        #expect(r.expiresAt == nil)
        let get = await apiError { try await engine.get(r.id, tenantKey: "key-1") }
        #expect(get == .interactionNotFound)
        let delete = await apiError { try await engine.delete(r.id, tenantKey: "key-1") }
        #expect(delete?.httpStatus == 404)
        let cancel = await apiError { try await engine.cancel(r.id, tenantKey: "key-1") }
        #expect(cancel?.httpStatus == 404)
        let stream = await apiError { try await engine.stream(r.id, tenantKey: "key-1", lastEventID: nil) }
        #expect(stream?.httpStatus == 404)
        let e = await engine.createError(#"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":"\#(r.id)"}"#)
        #expect(e?.httpStatus == 404)
        #expect(e?.status == "NOT_FOUND")
        #expect(e?.field == "previous_interaction_id")
        #expect(e?.message.contains(r.id) == true)
        #expect(try await engine.store.interactionCount() == 0)
        // The id was still consumed: the next interaction gets the next sequence.
        let next = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#)
        #expect(next.sequence == r.sequence + 1)
    }

    @Test func storeFalseWithBackgroundIsRefused() async throws {
        let engine = try makeEngine()
        let e = await engine.createError(#"{"model":"gemini-2.5-flash","input":"x","store":false,"background":true}"#)
        #expect(e?.httpStatus == 400)
        #expect(e?.status == "INVALID_ARGUMENT")
        #expect(e?.field == "store")
        #expect(e?.message.contains("'store'") == true && e?.message.contains("'background'") == true)
    }

    @Test func unknownPreviousIsNotFound() async throws {
        let engine = try makeEngine()
        for id in ["v1_doesNotExist", "nonsense", "v1_ChdmYWtlUm9vdDAwMDAwMDAwMDAwMDAwMRIXZmFrZVJvb3QwMDAwMDAwMDAwMDAwMDE"] {
            let e = await engine.createError(#"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":"\#(id)"}"#)
            #expect(e?.httpStatus == 404)
            #expect(e?.field == "previous_interaction_id")
        }
    }

    @Test func otherTenantsPreviousIsNotFound() async throws {
        let engine = try makeEngine()
        let mine = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#, tenant: "alice")
        let e = await engine.createError(#"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":"\#(mine.id)"}"#, tenant: "mallory")
        #expect(e?.httpStatus == 404)
        #expect(e?.field == "previous_interaction_id")
    }

    @Test func deletedPreviousIsNotFound() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x"}"#)
        try await engine.delete(r.id, tenantKey: "key-1")
        let again = await apiError { try await engine.delete(r.id, tenantKey: "key-1") }
        #expect(again == .interactionNotFound)
        let get = await apiError { try await engine.get(r.id, tenantKey: "key-1") }
        #expect(get == .interactionNotFound)
        let e = await engine.createError(#"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":"\#(r.id)"}"#)
        #expect(e?.httpStatus == 404)
        #expect(e?.field == "previous_interaction_id")
    }

    @Test func runningPreviousIsAFailedPrecondition() async throws {
        let engine = try makeEngine { $0.backgroundPolls = 5 }
        let bg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","background":true}"#)
        #expect(bg.status == .inProgress)
        let e = await engine.createError(#"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":"\#(bg.id)"}"#)
        #expect(e?.httpStatus == 400)
        #expect(e?.status == "FAILED_PRECONDITION")
        #expect(e?.field == "previous_interaction_id")
    }

    @Test func unknownModelOrAgentIsNotFound() async throws {
        let engine = try makeEngine()
        let m = await engine.createError(#"{"model":"gemini-1.0-ultra","input":"x"}"#)
        #expect(m?.httpStatus == 404)
        #expect(m?.field == "model")
        #expect(m?.message == "models/gemini-1.0-ultra is not found for API version v1beta, or is not supported for interactions.")
        let a = await engine.createError(#"{"agent":"deep-thought","input":"x","background":true}"#)
        #expect(a?.httpStatus == 404)
        #expect(a?.field == "agent")
    }

    struct RuleCase: Sendable, CustomTestStringConvertible {
        var body: String
        var field: String
        var testDescription: String { field + ": " + body }
    }

    @Test(arguments: [
        RuleCase(body: #"{"agent":"deep-research-pro-preview-12-2025","input":"x"}"#, field: "background"),
        RuleCase(body: #"{"agent":"deep-research-pro-preview-12-2025","input":"x","background":true,"tools":[{"type":"function","name":"f"}]}"#, field: "tools"),
        RuleCase(body: #"{"agent":"deep-research-pro-preview-12-2025","input":"x","background":true,"response_format":{"type":"object"}}"#, field: "response_format"),
        RuleCase(body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"mcp_server","name":"weather-service","url":"https://x.test/mcp"}]}"#, field: "tools[0].name"),
        RuleCase(body: #"{"model":"gemini-3-pro-preview","input":"x","tools":[{"type":"mcp_server","name":"weather","url":"https://x.test/mcp"}]}"#, field: "tools[0]"),
        RuleCase(body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"function","name":"f"},{"type":"google_search"}]}"#, field: "tools"),
        RuleCase(body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"function","name":"f"},{"type":"function","name":"f"}]}"#, field: "tools[1].name"),
        RuleCase(body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"function","name":"9lives"}]}"#, field: "tools[0].name"),
        RuleCase(body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"function","name":"f","parameters":{"type":"object","required":[]}}]}"#, field: "tools[0].parameters.required"),
        RuleCase(body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"computer_use","environment":"browser"}]}"#, field: "tools[0]"),
    ])
    func requestRulesNameTheField(_ c: RuleCase) async throws {
        let engine = try makeEngine()
        let e = await engine.createError(c.body)
        #expect(e?.httpStatus == 400)
        #expect(e?.status == "INVALID_ARGUMENT")
        #expect(e?.field == c.field)
        #expect(try await engine.store.interactionCount() == 0)
    }

    @Test func deepResearchRunsInTheBackgroundAndReports() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"agent":"deep-research-pro-preview-12-2025","input":"Research TPUs","background":true,"agent_config":{"type":"deep-research","thinking_summaries":"auto"}}"#)
        #expect(r.status == .inProgress)
        #expect(r.outputs.isEmpty)
        let first = try await engine.get(r.id, tenantKey: "key-1")
        #expect(first.status == .inProgress)
        let second = try await engine.get(r.id, tenantKey: "key-1")
        #expect(second.status == .completed)
        #expect(second.outputs.map(\.type) == ["thought", "thought", "thought", "text"])
        #expect(answer(second).hasPrefix("# Research report: Research TPUs"))
        #expect(second.outputs.prefix(3).allSatisfy { $0.signature?.isEmpty == false })
    }
}
