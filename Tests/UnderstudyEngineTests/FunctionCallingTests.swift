import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

/// Whether `value` satisfies the parts of JSON Schema the tests use: type, required, properties, items,
/// enum, minimum, maximum. Returns the first problem.
func schemaProblem(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> String? {
    if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) { return "\(path): \(value.jsonString) not in enum" }
    switch schema["type"]?.stringValue {
    case "object"?:
        guard let o = value.objectValue else { return "\(path): not an object" }
        for r in schema["required"]?.arrayValue ?? [] {
            if let name = r.stringValue, o[name] == nil { return "\(path): missing required \(name)" }
        }
        for (k, v) in o {
            guard let sub = schema["properties"]?[k] else { return "\(path): unexpected member \(k)" }
            if let p = schemaProblem(v, sub, at: "\(path).\(k)") { return p }
        }
    case "array"?:
        guard let a = value.arrayValue else { return "\(path): not an array" }
        for (i, v) in a.enumerated() {
            if let items = schema["items"], let p = schemaProblem(v, items, at: "\(path)[\(i)]") { return p }
        }
    case "string"?: if value.stringValue == nil { return "\(path): not a string" }
    case "integer"?:
        guard case .int(let i) = value else { return "\(path): not an integer" }
        if let lo = schema["minimum"]?.intValue, i < lo { return "\(path): below minimum" }
        if let hi = schema["maximum"]?.intValue, i > hi { return "\(path): above maximum" }
    case "number"?: if value.doubleValue == nil { return "\(path): not a number" }
    case "boolean"?: if value.boolValue == nil { return "\(path): not a boolean" }
    default: break
    }
    return nil
}

@Suite("Engine: function calling and thought signatures")
struct FunctionCallingTests {
    @Test(arguments: ["gemini-2.5-flash", "gemini-3-flash-preview", "gemini-2.5-flash-lite"])
    func functionToolLeadsToRequiresActionWithSchemaValidArguments(_ model: String) async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"\#(model)","input":"What's the weather in Paris?","tools":[\#(weatherTool)]}"#)
        #expect(r.status == .requiresAction)
        let call = try #require(r.outputs.last)
        #expect(call.type == "function_call")
        #expect(call.name == "get_weather")
        #expect(call.id?.isEmpty == false)
        let schema = try JSONValue.parse(weatherTool)["parameters"]!
        let args = try #require(call.arguments)
        #expect(schemaProblem(args, schema) == nil, "\(args.jsonString)")
        #expect(r.pendingCalls == [call])
        if Catalog.thinksByDefault(model) {
            #expect(r.outputs.first?.type == "thought")
        }
    }

    @Test(arguments: [
        #"{"type":"object","properties":{"q":{"type":"string"}}}"#,
        #"{"type":"object","properties":{"n":{"type":"integer"},"x":{"type":"number"},"b":{"type":"boolean"}},"required":["n","x","b"]}"#,
        #"{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1,"maximum":3}},"required":["sku","qty"]}}},"required":["items"]}"#,
        #"{"type":"object","properties":{"mode":{"type":"string","enum":["fast","slow"]},"level":{"type":"integer","enum":[1,2,3]}},"required":["mode","level"]}"#,
        #"{"type":"object"}"#,
    ])
    func synthesizedArgumentsSatisfyTheSchema(_ parameters: String) async throws {
        let engine = try makeEngine()
        let schema = try JSONValue.parse(parameters)
        for i in 0..<5 {
            let r = try await engine.createRecord(.object([
                "model": "gemini-2.5-flash", "input": .string("call it \(i)"),
                "tools": [["type": "function", "name": "fn", "parameters": schema]],
            ]))
            let args = try #require(r.outputs.last?.arguments)
            #expect(schemaProblem(args, schema) == nil, "\(args.jsonString)")
        }
    }

    @Test func functionWithoutParametersGetsAnEmptyObject() async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"function","name":"ping"}]}"#)
        #expect(r.outputs.last?.arguments == .object([:]))
    }

    @Test func toolChoiceNoneAndAllowedToolsSteerTheCall() async throws {
        let engine = try makeEngine()
        let tools = #"[{"type":"function","name":"a"},{"type":"function","name":"b"}]"#
        let none = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","tools":\#(tools),"generation_config":{"tool_choice":"none"}}"#)
        #expect(none.status == .completed)
        let first = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","tools":\#(tools)}"#)
        #expect(first.outputs.last?.name == "a")
        let onlyB = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","tools":\#(tools),"generation_config":{"tool_choice":{"allowed_tools":{"mode":"any","tools":["b"]}}}}"#)
        #expect(onlyB.outputs.last?.name == "b")
    }

    func pendingCall(_ engine: Engine, model: String = "gemini-2.5-flash") async throws -> (InteractionRecord, Content) {
        let r = try await engine.createRecord(#"{"model":"\#(model)","input":"weather in Paris?","tools":[\#(weatherTool)]}"#)
        return (r, try #require(r.pendingCalls.first))
    }

    @Test func matchingFunctionResultCompletes() async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine)
        for result: JSONValue in ["Sunny, 21°C", ["temp": 21, "sky": "clear"], ["items": ["sunny", ["type": "text", "text": "warm"]]]] {
            let r = try await engine.createRecord(.object([
                "model": "gemini-2.5-flash", "previous_interaction_id": .string(first.id), "tools": [try JSONValue.parse(weatherTool)],
                "input": [["type": "function_result", "call_id": .string(call.id!), "name": "get_weather", "result": result]],
            ]))
            #expect(r.status == .completed)
            #expect(r.previousInteractionID == first.id)
            #expect(answer(r).contains("get_weather returned"))
            if let s = result.stringValue { #expect(answer(r).contains(s)) }
        }
    }

    @Test func functionResultInAUserTurnAlsoCompletes() async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine)
        let r = try await engine.createRecord(.object([
            "model": "gemini-2.5-flash", "previous_interaction_id": .string(first.id),
            "input": [["role": "user", "content": [["type": "function_result", "call_id": .string(call.id!), "result": "ok"]]]],
        ]))
        #expect(r.status == .completed)
    }

    @Test func wrongCallIDIsRefusedNamingIt() async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine)
        let e = await engine.createError(.object([
            "model": "gemini-2.5-flash", "previous_interaction_id": .string(first.id),
            "input": [["type": "function_result", "call_id": "not-a-call", "name": "get_weather", "result": "x"]],
        ]))
        #expect(e?.httpStatus == 400)
        #expect(e?.status == "INVALID_ARGUMENT")
        #expect(e?.field == "input[0].call_id")
        #expect(e?.message.contains("'not-a-call'") == true)
        #expect(e?.message.contains("'\(call.id!)'") == true)
        // Nothing was stored for the refused request.
        #expect(try await engine.store.interactionCount() == 1)
    }

    @Test func functionResultWithoutAPrecedingCallIsRefused() async throws {
        let engine = try makeEngine()
        let plain = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"hi"}"#)
        let e = await engine.createError(.object([
            "model": "gemini-2.5-flash", "previous_interaction_id": .string(plain.id),
            "input": [["type": "text", "text": "here"], ["type": "function_result", "call_id": "x", "result": "x"]],
        ]))
        #expect(e?.httpStatus == 400)
        #expect(e?.field == "input[1]")
        #expect(e?.message.contains("function response turn comes immediately after a function call turn") == true)
    }

    /// A stateless conversation with two parallel calls in one model turn (lenient model, no thought).
    func parallel(results: [JSONValue]) -> JSONValue {
        [
            "model": "gemini-2.5-flash",
            "input": [
                ["role": "user", "content": "weather in Paris and Oslo"],
                ["role": "model", "content": [
                    ["type": "function_call", "id": "call_p", "name": "get_weather", "arguments": ["location": "Paris"]],
                    ["type": "function_call", "id": "call_o", "name": "get_weather", "arguments": ["location": "Oslo"]],
                ]],
                ["role": "user", "content": .array(results)],
            ],
        ]
    }

    @Test func parallelCallsNeedEveryResult() async throws {
        let engine = try makeEngine()
        let both = try await engine.createRecord(parallel(results: [
            ["type": "function_result", "call_id": "call_o", "result": "rain"],
            ["type": "function_result", "call_id": "call_p", "result": "sun"],
        ]))
        #expect(both.status == .completed)
        let missing = await engine.createError(parallel(results: [["type": "function_result", "call_id": "call_p", "result": "sun"]]))
        #expect(missing?.httpStatus == 400)
        #expect(missing?.status == "INVALID_ARGUMENT")
        #expect(missing?.field == "input")
        #expect(missing?.message.contains("'call_o'") == true)
        let twice = await engine.createError(parallel(results: [
            ["type": "function_result", "call_id": "call_p", "result": "sun"],
            ["type": "function_result", "call_id": "call_p", "result": "sun"],
        ]))
        #expect(twice?.field == "input[2].content[1].call_id")
    }

    // MARK: Thought signatures

    /// The stateless replay of a function-call round trip: user turn, the model turn as received, the result.
    func replay(model: String, modelTurn: [JSONValue], callID: String) -> JSONValue {
        .object([
            "model": .string(model),
            "tools": [(try? JSONValue.parse(weatherTool)) ?? .null],
            "input": [
                ["role": "user", "content": "weather in Paris?"],
                ["role": "model", "content": .array(modelTurn)],
                ["role": "user", "content": [["type": "function_result", "call_id": .string(callID), "name": "get_weather", "result": "sunny"]]],
            ],
        ])
    }

    @Test(arguments: ["gemini-3-flash-preview", "gemini-2.5-flash"])
    func modelTurnSentBackUnchangedIsAccepted(_ model: String) async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine, model: model)
        #expect(first.outputs.map(\.type) == ["thought", "function_call"])
        let r = try await engine.createRecord(replay(model: model, modelTurn: first.outputs.map(\.json), callID: call.id!))
        #expect(r.status == .completed)
    }

    @Test(arguments: ["gemini-3-flash-preview", "gemini-2.5-flash"])
    func tamperedSignatureIsRefusedNamingIt(_ model: String) async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine, model: model)
        var turn = first.outputs.map(\.json)
        turn[0]["signature"] = .string(Base64.encode(Array("forged signature".utf8)))
        let e = await engine.createError(replay(model: model, modelTurn: turn, callID: call.id!))
        #expect(e?.httpStatus == 400)
        #expect(e?.status == "INVALID_ARGUMENT")
        #expect(e?.field == "input[1].content[0].signature")
        #expect(e?.message.contains("input[1].content[0].signature") == true)
    }

    @Test func alteredArgumentsInvalidateTheSignature() async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine, model: "gemini-3-flash-preview")
        var turn = first.outputs.map(\.json)
        turn[1]["arguments"] = ["location": "Atlantis", "days": 1, "unit": "celsius", "where": ["lat": 0, "lon": 0]]
        let e = await engine.createError(replay(model: "gemini-3-flash-preview", modelTurn: turn, callID: call.id!))
        #expect(e?.field == "input[1].content[0].signature")
    }

    @Test func signatureFromAnotherSeedIsRefused() async throws {
        let issuer = try makeEngine(seed: 1)
        let (first, call) = try await pendingCall(issuer, model: "gemini-3-flash-preview")
        let verifier = try makeEngine(seed: 2)
        let e = await verifier.createError(replay(model: "gemini-3-flash-preview", modelTurn: first.outputs.map(\.json), callID: call.id!))
        #expect(e?.httpStatus == 400)
        #expect(e?.field == "input[1].content[0].signature")
        // The same seed on another engine (a restarted server) accepts it.
        let sameSeed = try makeEngine(seed: 1)
        let ok = try await sameSeed.createRecord(replay(model: "gemini-3-flash-preview", modelTurn: first.outputs.map(\.json), callID: call.id!))
        #expect(ok.status == .completed)
    }

    @Test func droppingTheThoughtIsRefusedOnGemini3() async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine, model: "gemini-3-flash-preview")
        let e = await engine.createError(replay(model: "gemini-3-flash-preview", modelTurn: [first.outputs[1].json], callID: call.id!))
        #expect(e?.httpStatus == 400)
        #expect(e?.status == "INVALID_ARGUMENT")
        #expect(e?.field == "input[1].content[0]")
        #expect(e?.message.contains("thought_signature") == true)
    }

    @Test func droppingTheThoughtIsToleratedOnGemini25() async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine, model: "gemini-2.5-flash")
        let r = try await engine.createRecord(replay(model: "gemini-2.5-flash", modelTurn: [first.outputs[1].json], callID: call.id!))
        #expect(r.status == .completed)
    }

    @Test func signaturePolicyOverridesTheModelDefault() async throws {
        let strict = try makeEngine { $0.signaturePolicy = .strict }
        let (s1, sc) = try await pendingCall(strict, model: "gemini-2.5-flash")
        let e = await strict.createError(replay(model: "gemini-2.5-flash", modelTurn: [s1.outputs[1].json], callID: sc.id!))
        #expect(e?.field == "input[1].content[0]")

        let lenient = try makeEngine { $0.signaturePolicy = .lenient }
        let (l1, lc) = try await pendingCall(lenient, model: "gemini-3-flash-preview")
        let r = try await lenient.createRecord(replay(model: "gemini-3-flash-preview", modelTurn: [l1.outputs[1].json], callID: lc.id!))
        #expect(r.status == .completed)
    }

    @Test func sentinelSignatureIsAccepted() async throws {
        let engine = try makeEngine()
        let (first, call) = try await pendingCall(engine, model: "gemini-3-flash-preview")
        var turn = first.outputs.map(\.json)
        turn[0]["signature"] = .string(Identity.skipSignatureSentinel)
        let r = try await engine.createRecord(replay(model: "gemini-3-flash-preview", modelTurn: turn, callID: call.id!))
        #expect(r.status == .completed)
        // A hand-built call behind a sentinel thought passes too.
        let handBuilt: [JSONValue] = [
            ["type": "thought", "signature": .string(Identity.skipSignatureSentinel)],
            ["type": "function_call", "id": "mine", "name": "get_weather", "arguments": ["location": "Rome"]],
        ]
        let r2 = try await engine.createRecord(replay(model: "gemini-3-flash-preview", modelTurn: handBuilt, callID: "mine"))
        #expect(r2.status == .completed)
    }

    @Test func thoughtSignaturesVerifyExactlyTheBlocksTheyCover() {
        let identity = Identity(seed: 3)
        let call = Content.functionCall(id: "c", name: "f", arguments: ["a": 1])
        let sig = identity.thoughtSignature(covering: [call])
        #expect(identity.verifyThoughtSignature(sig, covering: [call]))
        // Incidental members (a signature on the call itself) are not covered.
        var annotated = call
        annotated.fields["signature"] = "AAAA"
        #expect(identity.verifyThoughtSignature(sig, covering: [annotated]))
        #expect(!identity.verifyThoughtSignature(sig, covering: [.functionCall(id: "c", name: "f", arguments: ["a": 2])]))
        #expect(!identity.verifyThoughtSignature(sig, covering: []))
        #expect(!Identity(seed: 4).verifyThoughtSignature(sig, covering: [call]))
        #expect(Base64.decode(sig) != nil)
    }
}
