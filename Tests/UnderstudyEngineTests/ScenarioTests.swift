import Foundation
import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

@Suite("Scenarios: matching and replies")
struct ScenarioReplyTests {
    let oneCall = """
        name: m-tools
        match: {tools: [get_weather], input_contains: "weather"}
        reply:
          outputs:
            - {type: function_call, name: get_weather, arguments: {location: Paris}}
        """

    @Test(arguments: ["gemini-2.5-flash", "gemini-3-flash-preview"])
    func aOneReplyFunctionCallScenarioAnswersItsFollowUpWithTheDefaultResponder(_ model: String) async throws {
        let engine = try makeEngine()
        try engine.load(oneCall)
        let first = try await engine.createRecord(["model": .string(model), "input": "what's the weather", "tools": [getWeather]])
        #expect(first.status == .requiresAction && first.scenario == "m-tools#1")
        let call = try #require(first.outputs.first { $0.type == "function_call" })
        let result: JSONValue = ["type": "function_result", "call_id": .string(call.id!), "name": "get_weather", "result": "sunny"]
        // Stateful: the follow-up gets the default responder's answer, which uses the result.
        let second = try await engine.createRecord(["model": .string(model), "previous_interaction_id": .string(first.id), "tools": [getWeather], "input": [result]])
        #expect(second.status == .completed)
        #expect(second.scenario == nil)
        #expect(answer(second) == "Thanks. get_weather returned \"sunny\".")
        // Stateless: the same, with the model turn replayed exactly as received.
        let history: JSONValue = [
            ["role": "user", "content": "what's the weather"],
            ["role": "model", "content": .array(first.outputs.map(\.json))],
            ["role": "user", "content": [result]],
        ]
        let stateless = try await engine.createRecord(["model": .string(model), "tools": [getWeather], "input": history])
        #expect(stateless.scenario == nil && answer(stateless) == "Thanks. get_weather returned \"sunny\".")
    }

    @Test func resultsOfAScenariosLastStepNeverRestartItEvenWithoutTextConditions() async throws {
        let engine = try makeEngine()
        try engine.load("name: any-weather\nmatch: {tools: [get_weather]}\nreply:\n  outputs: [{type: function_call, name: get_weather}]\n")
        let first = try await engine.createRecord(["model": "gemini-2.5-flash", "input": "hi", "tools": [getWeather]])
        let call = try #require(first.outputs.first { $0.type == "function_call" })
        let second = try await engine.createRecord(["model": "gemini-2.5-flash", "previous_interaction_id": .string(first.id), "tools": [getWeather],
                                                    "input": [["type": "function_result", "call_id": .string(call.id!), "result": "rain"]]])
        #expect(second.scenario == nil && second.status == .completed)
        // New user text in the chain may start it again.
        let third = try await engine.createRecord(["model": "gemini-2.5-flash", "previous_interaction_id": .string(second.id), "tools": [getWeather], "input": "and tomorrow?"])
        #expect(third.scenario == "any-weather#1")
        // In strict mode the result is refused, and the reason names the rule.
        engine.scenarios.strict = true
        let call3 = try #require(third.outputs.first { $0.type == "function_call" })
        let e = await engine.createError(["model": "gemini-2.5-flash", "previous_interaction_id": .string(third.id), "tools": [getWeather],
                                          "input": [["type": "function_result", "call_id": .string(call3.id!), "result": "rain"]]])
        #expect(e?.message.contains("past its last step") == true)
    }

    @Test func textConditionsLookAtTheCurrentTurnNotTheChain() async throws {
        let engine = try makeEngine()
        try engine.load("name: paris\nmatch: {input_contains: paris}\nreply: {text: Paris!}\n")
        let first = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"tell me about Paris"}"#)
        #expect(answer(first) == "Paris!")
        // Stateless history whose last user turn has no text: earlier text does not count.
        let followUp = try await engine.createRecord([
            "model": "gemini-2.5-flash",
            "input": [["role": "user", "content": "tell me about Paris"], ["role": "model", "content": "Paris!"], ["role": "user", "content": [["type": "image", "uri": "https://example.com/a.png", "mime_type": "image/png"]]]],
        ])
        #expect(followUp.scenario == nil)
    }

    @Test func expectationViolationsShowWhatCame() async throws {
        let engine = try makeEngine()
        try engine.load("name: thanks\nsteps:\n  - reply: {text: one}\n  - expect: {input_contains: thanks}\n    reply: {text: two}\n")
        let first = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"hello"}"#)
        let e = await engine.createError(["model": "gemini-2.5-flash", "previous_interaction_id": .string(first.id), "input": "no way"])
        #expect(e?.message == "Scenario 'thanks' step 2: expected the input to contain 'thanks', got \"no way\".")
        #expect(e?.details.first?["step"] == 2)
    }

    @Test func scriptedCallsOnGemini3GetASignedThoughtSoStatelessReplaysVerify() async throws {
        let engine = try makeEngine()
        try engine.load("""
            scenarios:
              - name: calls
                match: {input_contains: call}
                reply:
                  outputs:
                    - {type: text, text: "Let me check."}
                    - {type: function_call, name: get_weather, arguments: {location: Paris}}
                    - {type: function_call, name: get_weather, arguments: {location: Rome}}
              - name: bad
                match: {input_contains: bad}
                reply:
                  outputs:
                    - {type: thought, signature: "bm90LWEtcmVhbC1zaWduYXR1cmU="}
                    - {type: function_call, name: get_weather}
            """)
        let body: JSONValue = ["model": "gemini-3-flash-preview", "input": "call", "tools": [getWeather]]
        let r = try await engine.createRecord(body)
        #expect(r.outputs.map(\.type) == ["text", "thought", "function_call", "function_call"])
        #expect(r.outputs[1].signature?.isEmpty == false && r.outputs[1].fields["summary"] == nil)
        // Deterministic.
        #expect(try await makeEngine().loadAndCreate("calls", engineFrom: engine, body) == r.outputs.map(\.json))
        let results: JSONValue = .array(r.outputs.filter { $0.type == "function_call" }.map { ["type": "function_result", "call_id": .string($0.id!), "result": "sunny"] })
        let replay: JSONValue = ["model": "gemini-3-flash-preview", "tools": [getWeather], "input": [
            ["role": "user", "content": "call"], ["role": "model", "content": .array(r.outputs.map(\.json))], ["role": "user", "content": results],
        ]]
        let done = try await engine.createRecord(replay)
        #expect(done.status == .completed)
        // 2.5 models and the lenient policy keep outputs exactly as scripted.
        let old = try await engine.createRecord(["model": "gemini-2.5-flash", "input": "call", "tools": [getWeather]])
        #expect(old.outputs.map(\.type) == ["text", "function_call", "function_call"])
        let lenient = try makeEngine { $0.signaturePolicy = .lenient }
        try lenient.load("name: c\nreply:\n  outputs: [{type: function_call, name: get_weather}]\n")
        #expect(try await lenient.createRecord(body).outputs.map(\.type) == ["function_call"])
        // An explicit signature is kept, so clients can be tested against bad ones.
        let bad = try await engine.createRecord(["model": "gemini-3-flash-preview", "input": "bad", "tools": [getWeather]])
        #expect(bad.outputs.map(\.type) == ["thought", "function_call"] && bad.outputs[0].signature == "bm90LWEtcmVhbC1zaWduYXR1cmU=")
    }

    @Test func strictnessIsPerTenantAndTheHeaderOverridesBothWays() async throws {
        let engine = try makeEngine()
        try engine.load("name: only-paris\nmatch: {input_contains: Paris}\nreply: {text: Paris!}\n")
        let body: JSONValue = ["model": "gemini-2.5-flash", "input": "Berlin"]
        engine.scenarios.setStrict(true, tenant: "strict-key")
        #expect(await engine.createError(body, tenant: "strict-key")?.status == "FAILED_PRECONDITION")
        #expect(try await engine.createRecord(body, tenant: "other-key").scenario == nil)
        #expect(try await engine.createRecord(body, tenant: "strict-key", headers: ["x-understudy-strict": "false"]).status == .completed)
        await #expect(throws: APIError.self) { try await engine.createRecord(body, tenant: "other-key", headers: ["x-understudy-strict": "true"]) }
        // Global on, a key's own setting off: the key's setting wins; the header still overrides.
        engine.scenarios.setStrict(true, tenant: nil)
        engine.scenarios.setStrict(false, tenant: "lenient-key")
        #expect(await engine.createError(body, tenant: "other-key")?.status == "FAILED_PRECONDITION")
        #expect(try await engine.createRecord(body, tenant: "lenient-key").status == .completed)
        #expect(try await engine.createRecord(body, tenant: "other-key", headers: ["x-understudy-strict": "false"]).status == .completed)
        let bad = await apiError { try await engine.createRecord(body, tenant: "other-key", headers: ["x-understudy-strict": "yes"]) }
        #expect(bad?.field == "x-understudy-strict")
    }

    @Test func nearestScenariosAreRankedByUnmetConditionsThenCloseness() async throws {
        let engine = try makeEngine()
        try engine.load("""
            scenarios:
              - {name: m-contains, match: {input_contains: pineapple}, reply: {text: a}}
              - {name: m-previous-no, match: {has_previous: false, input_contains: again}, reply: {text: b}}
              - {name: m-tools, match: {tools: [get_weather], input_contains: weather}, reply: {text: c}}
              - {name: m-regex, match: {input_matches: "order #[0-9]{4}\\\\b"}, reply: {text: d}}
            """)
        engine.scenarios.strict = true
        let e = try #require(await engine.createError(#"{"model":"gemini-2.5-flash","input":"where is order #12"}"#))
        let ranked = e.details.compactMap { $0["scenario"]?.stringValue }
        #expect(ranked.first == "m-regex", "\(ranked)")
        #expect(!ranked.contains("m-tools"))
        #expect(e.message.contains("(input: \"where is order #12\")"))
    }

    @Test func strictWithAFaultsOnlyScenarioSelectedSaysSo() async throws {
        let engine = try makeEngine()
        try engine.load("scenarios:\n  - {name: f-only, faults: [{latency: 1ms}]}\n  - {name: other, reply: {text: x}}\n")
        engine.scenarios.strict = true
        #expect(try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"hi"}"#, tenant: "k").scenario == "other#1")
        let r = await apiError { try await engine.createRecord(["model": "gemini-2.5-flash", "input": "hi"], tenant: "k", headers: ["x-understudy-scenario": "f-only"]) }
        #expect(r?.message.contains("'f-only' selected by the header 'x-understudy-scenario' has no reply or steps") == true)
        #expect(r?.message.contains("No scenario with a reply is loaded") == false)
        let empty = try makeEngine()
        empty.scenarios.strict = true
        #expect(await empty.createError(#"{"model":"gemini-2.5-flash","input":"hi"}"#)?.message.contains("No scenario is loaded.") == true)
    }
}

@Suite("Scenarios: holds and progress")
struct ScenarioHoldTests {
    let held = "name: held\nreply:\n  background: [{polls: 1}, {hold: go}]\n  text: released\n"
    let bg: JSONValue = ["model": "gemini-2.5-flash", "input": "x", "background": true]

    @Test func aReleaseFreesTheJobsThatHaveTheHoldAheadThenLaterJobsWaitAgain() async throws {
        let engine = try makeEngine()
        try engine.load(held)
        let a = try await engine.createRecord(bg)
        // Released while still in its first wait (polls): it goes past the hold when it gets there.
        let release = try await engine.releaseHold("go", tenantKey: "key-1")
        #expect(release.interactions == [a.id] && !release.pending)
        #expect(try await engine.get(a.id, tenantKey: "key-1").status == .completed)
        let b = try await engine.createRecord(bg)
        #expect(try await engine.get(b.id, tenantKey: "key-1").status == .inProgress)
        #expect(try await engine.get(b.id, tenantKey: "key-1").status == .inProgress)
        #expect(try await engine.releaseHold("go", tenantKey: "key-1").interactions == [b.id])
        #expect(try await engine.get(b.id, tenantKey: "key-1").status == .completed)
    }

    @Test func anEarlyReleaseIsPendingUsedOnceAndClearedByReset() async throws {
        let engine = try makeEngine()
        try engine.load("name: held\nreply:\n  background: [{hold: go}]\n  text: released\n")
        let early = try await engine.releaseHold("go", tenantKey: "key-1")
        #expect(early.pending && early.interactions.isEmpty && early.pendingCount == 1)
        #expect(early.json["pending"] == true)
        let a = try await engine.createRecord(bg)
        #expect(a.status == .completed)  // the remembered release let it through at once
        let b = try await engine.createRecord(bg)
        #expect(try await engine.get(b.id, tenantKey: "key-1").status == .inProgress)
        // Reset forgets a remembered release.
        _ = try await engine.releaseHold("go", tenantKey: "key-2")
        try await engine.reset(tenantKey: "key-2")
        let c = try await engine.createRecord(bg, tenant: "key-2")
        #expect(c.status == .inProgress)
    }

    @Test func unknownHoldsAndWrongKeysAre404() async throws {
        let engine = try makeEngine()
        try engine.load("name: held\nreply:\n  background: [{hold: go}]\n  text: x\n", tenant: "owner")
        let typo = await apiError { try await engine.releaseHold("og", tenantKey: "owner") }
        #expect(typo?.httpStatus == 404 && typo?.message.contains("Holds declared for this key: go.") == true)
        let wrongKey = await apiError { try await engine.releaseHold("go", tenantKey: "someone-else") }
        #expect(wrongKey?.httpStatus == 404 && wrongKey?.message.contains("loaded for other keys: owner") == true)
        #expect(try await engine.releaseHold("go", tenantKey: "owner").pending)
    }

    @Test func scenarioDetailShowsDefinitionAndProgressPerKey() async throws {
        let engine = try makeEngine()
        try engine.load("""
            name: convo
            description: two steps
            faults: [{on: get, status: 500, times: 1}]
            steps:
              - reply: {text: one}
              - reply: {text: two}
            """)
        let first = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a"}"#, tenant: "k1")
        _ = try await engine.createRecord(["model": "gemini-2.5-flash", "input": "b", "previous_interaction_id": .string(first.id)], tenant: "k1")
        _ = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"a"}"#, tenant: "k2")
        let detail = try engine.scenarioDetail("convo", tenantKey: nil)
        #expect(detail["definition"]?["description"] == "two steps")
        #expect(detail["source"] == "test.yaml" && detail["line"] == 1)
        #expect(detail["progress"]?["k1"]?["steps_answered"] == [1, 1])
        #expect(detail["progress"]?["k1"]?["conversations"]?.arrayValue?.first?["finished"] == true)
        #expect(detail["progress"]?["k2"]?["conversations"]?.arrayValue?.first?["step"] == 1)
        let one = try engine.scenarioDetail("convo", tenantKey: "k2")
        #expect(one["progress"]?.objectValue?.keys.sorted() == ["k2"])
        let missing = await apiError { try engine.scenarioDetail("nope", tenantKey: nil) }
        #expect(missing?.httpStatus == 404 && missing?.message.contains("Loaded: convo") == true)
    }
}

extension Engine {
    /// Loads the scenario `name` of `other` into this engine and answers `body`: outputs as JSON.
    func loadAndCreate(_ name: String, engineFrom other: Engine, _ body: JSONValue) async throws -> [JSONValue] {
        guard let s = other.scenarios.scenario(named: name, tenant: nil) else { return [] }
        scenarios.add([s])
        return try await createRecord(body).outputs.map(\.json)
    }
}
