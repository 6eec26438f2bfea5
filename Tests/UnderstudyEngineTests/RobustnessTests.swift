import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

/// SplitMix64, so the mutations are the same on every run.
struct Mutator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func randomValue(depth: Int = 0) -> JSONValue {
        switch below(depth > 2 ? 9 : 11) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .int([0, -1, 1, Int64.max, Int64.min, 7][below(6)])
        case 3: return .double([0.5, -1e300, 1e300, 3.0][below(4)])
        case 4: return .string(["", "x", "text", "function_call", "user", "model", "AAAA", "évé 🚀", "v1_x", "evt_0001"][below(10)])
        case 5: return .string(String(repeating: "ab", count: below(40)))
        case 6: return ["type": .string(["text", "image", "function_call", "function_result", "thought", "hologram"][below(6)])]
        case 7: return ["role": .string(["user", "model"][below(2)]), "content": "x"]
        case 8: return .array([])
        case 9: return .array((0..<below(3)).map { _ in randomValue(depth: depth + 1) })
        default: return .object(["type": "text", "text": randomValue(depth: depth + 1)])
        }
    }

    /// Replaces one randomly chosen value anywhere in `v` (or adds/removes a member).
    mutating func mutate(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(var o) where !o.isEmpty && below(4) != 0:
            let keys = o.keys.sorted()
            let k = keys[below(keys.count)]
            switch below(6) {
            case 0: o[k] = nil
            case 1: o[k] = randomValue()
            default: o[k] = mutate(o[k]!)
            }
            return .object(o)
        case .array(var a) where !a.isEmpty && below(4) != 0:
            let i = below(a.count)
            if below(6) == 0 { a.remove(at: i) } else { a[i] = mutate(a[i]) }
            return .array(a)
        default:
            return randomValue()
        }
    }
}

@Suite("Robustness: client input never produces a 500")
struct RobustnessTests {
    static let seeds: [String] = [
        #"{"model":"gemini-3-flash-preview","input":"Hello","generation_config":{"thinking_level":"low","temperature":0.5,"tool_choice":"auto"}}"#,
        #"{"model":"gemini-2.5-flash","input":[{"type":"text","text":"a"},{"type":"image","data":"AAAA","mime_type":"image/png"}],"stream":true}"#,
        #"{"model":"gemini-2.5-flash","input":[{"role":"user","content":"weather?"},{"role":"model","content":[{"type":"thought","signature":"AAAA"},{"type":"function_call","id":"c1","name":"get_weather","arguments":{"location":"Paris"}}]},{"role":"user","content":[{"type":"function_result","call_id":"c1","result":"sunny"}]}],"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}]}"#,
        #"{"agent":"deep-research-pro-preview-12-2025","input":"Research","background":true,"agent_config":{"type":"deep-research","thinking_summaries":"auto"}}"#,
        #"{"model":"gemini-2.5-flash","input":"x","response_format":{"type":"object","properties":{"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}},"required":["name"]},"background":true}"#,
        #"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":"PREVIOUS","store":true}"#,
    ]

    @Test(arguments: 0..<seeds.count)
    func mutatedBodiesAreAnsweredOrRefusedWithA4xx(_ seedIndex: Int) async throws {
        let engine = try makeEngine()
        let previous = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"earlier"}"#)
        let base = try JSONValue.parse(Self.seeds[seedIndex].replacingOccurrences(of: "PREVIOUS", with: previous.id))
        var m = Mutator(state: UInt64(seedIndex) &* 7919 &+ 1)
        var accepted = 0
        for round in 0..<300 {
            var body = base
            for _ in 0...m.below(3) { body = m.mutate(body) }
            do {
                let request = try LegacyRequestDecoder.decode(body: body.serialized())
                switch try await engine.create(request, tenantKey: "fuzz") {
                case .interaction: break
                case .stream(let s): _ = await collect(s)
                }
                accepted += 1
            } catch {
                #expect(error.httpStatus < 500, "round \(round): \(body.jsonString) → \(error)")
                #expect((400..<500).contains(error.httpStatus))
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted > 0)
    }

    @Test func arbitraryBytesNeverCrashTheDecoder() {
        var m = Mutator(state: 99)
        let alphabet = Array(#"{}[]":,.-+eE0123456789 truefalsnl\u"#.utf8) + [0x0A, 0xC3, 0xA9, 0xFF, 0x00]
        for _ in 0..<3000 {
            let bytes = (0..<m.below(40)).map { _ in alphabet[m.below(alphabet.count)] }
            do {
                _ = try LegacyRequestDecoder.decode(body: bytes)
            } catch {
                #expect(error.httpStatus == 400)
            }
        }
    }

    // MARK: Schemas that the argument synthesizer must survive

    static let hostileSchemas: [String] = [
        #"{"type":"object","properties":{"n":{"type":"integer","minimum":-9223372036854775808,"maximum":9223372036854775807}},"required":["n"]}"#,
        #"{"type":"object","properties":{"n":{"type":"integer","maximum":-9223372036854775808}},"required":["n"]}"#,
        #"{"type":"object","properties":{"xs":{"type":"array","minItems":-3}},"required":["xs"]}"#,
        #"{"type":"object","properties":{"xs":{"type":"array","minItems":1000000000,"items":{"type":"string","minLength":1000000000}}},"required":["xs"]}"#,
        ##"{"type":"object","properties":{"a":{"$ref":"#"},"b":{"$ref":"#"},"c":{"$ref":"#"}},"required":["a","b","c"]}"##,
        ##"{"$defs":{"loop":{"$ref":"#/$defs/loop"}},"type":"object","properties":{"x":{"$ref":"#/$defs/loop"}},"required":["x"]}"##,
        #"{"type":"object","properties":{"s":{"type":"string","pattern":"((((a|b)*)*)*)*c{1000000}"}},"required":["s"]}"#,
    ]

    /// Client-controlled schemas (overflowing bounds, negative or huge sizes, self-references, loops,
    /// explosive patterns) are answered, never crash or hang the server.
    @Test(arguments: hostileSchemas)
    func hostileParameterSchemasAreSurvived(_ schema: String) async throws {
        let engine = try makeEngine()
        let r = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"function","name":"f","parameters":\#(schema)}]}"#)
        #expect(r.status == .requiresAction)
    }
}
