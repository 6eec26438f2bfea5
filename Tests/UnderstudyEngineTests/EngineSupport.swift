import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

struct UnexpectedOutcome: Error, CustomStringConvertible {
    var description: String
}

/// A fresh engine on a fresh in-memory database.
func makeEngine(seed: UInt64 = 0, _ configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> Engine {
    var c = EngineConfiguration()
    c.seed = seed
    configure(&c)
    return Engine(configuration: c, store: try SQLiteStore(path: ":memory:"))
}

func request(_ body: String) throws -> CreateRequest {
    try LegacyRequestDecoder.decode(body: Array(body.utf8))
}

func request(_ body: JSONValue) throws -> CreateRequest {
    try LegacyRequestDecoder.decode(json: body)
}

extension Engine {
    /// Creates and expects a JSON resource (not a stream).
    func createRecord(_ body: String, tenant: String = "key-1") async throws -> InteractionRecord {
        try await createRecord(request(body), tenant: tenant)
    }

    func createRecord(_ body: JSONValue, tenant: String = "key-1") async throws -> InteractionRecord {
        try await createRecord(request(body), tenant: tenant)
    }

    func createRecord(_ r: CreateRequest, tenant: String = "key-1") async throws -> InteractionRecord {
        switch try await create(r, tenantKey: tenant) {
        case .interaction(let record): return record
        case .stream: throw UnexpectedOutcome(description: "got a stream")
        }
    }

    /// Creates and expects a stream; returns all its events.
    func createStream(_ body: String, tenant: String = "key-1") async throws -> (String, [StreamEvent]) {
        switch try await create(request(body), tenantKey: tenant) {
        case .interaction: throw UnexpectedOutcome(description: "got a resource")
        case .stream(let s): return (s.interactionID, await collect(s))
        }
    }

    /// The refusal of a create, or nil (with a recorded issue) if it was accepted.
    func createError(_ body: String, tenant: String = "key-1", sourceLocation: SourceLocation = #_sourceLocation) async -> APIError? {
        do {
            let r = try request(body)
            do {
                _ = try await create(r, tenantKey: tenant)
                Issue.record("accepted: \(body)", sourceLocation: sourceLocation)
                return nil
            } catch {
                return error
            }
        } catch {
            Issue.record("did not decode: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    func createError(_ body: JSONValue, tenant: String = "key-1", sourceLocation: SourceLocation = #_sourceLocation) async -> APIError? {
        await createError(body.jsonString, tenant: tenant, sourceLocation: sourceLocation)
    }
}

/// Every event of a stream, in order (a cut or malformed item is recorded as an issue).
func collect(_ stream: InteractionStream, sourceLocation: SourceLocation = #_sourceLocation) async -> [StreamEvent] {
    var out: [StreamEvent] = []
    for await item in stream.items {
        switch item {
        case .event(let e): out.append(e)
        case .malformed(let e):
            Issue.record("malformed \(e.id)", sourceLocation: sourceLocation)
            out.append(e)
        case .cut: Issue.record("cut", sourceLocation: sourceLocation)
        case .unknownEvent(let type, _): Issue.record("unexpected extra event \(type)", sourceLocation: sourceLocation)
        }
    }
    return out
}

/// Catches an `APIError` from an engine call.
func apiError<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async -> APIError? {
    do {
        _ = try await body()
        Issue.record("expected an APIError", sourceLocation: sourceLocation)
        return nil
    } catch let error as APIError {
        return error
    } catch {
        Issue.record("expected an APIError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Events as the wire shows them, to compare logs whose embedded records differ only internally.
func wire(_ events: [StreamEvent]) -> [JSONValue] {
    let encoder = LegacyEncoder()
    return events.map(encoder.event)
}

/// The text of the last text output.
func answer(_ r: InteractionRecord) -> String {
    r.outputs.last { $0.type == "text" }?.text ?? ""
}

/// Rebuilds output blocks from `content.start` / `content.delta` / `content.stop` events, the way a
/// client accumulates a stream.
func rebuildOutputs(_ events: [StreamEvent]) -> [Content] {
    var blocks: [Int: Content] = [:]
    for e in events {
        switch e.payload {
        case .contentStart(let i, let c): blocks[i] = c
        case .contentDelta(let i, let d):
            guard var b = blocks[i] else { continue }
            switch d.type {
            case "text":
                b.fields["text"] = .string((b.text ?? "") + (d.fields["text"]?.stringValue ?? ""))
                if let a = d.fields["annotations"] { b.fields["annotations"] = a }
            case "thought_summary":
                var summary = b.fields["summary"]?.arrayValue ?? []
                if let c = d.fields["content"] { summary.append(c) }
                b.fields["summary"] = .array(summary)
            case "thought_signature":
                b.fields["signature"] = d.fields["signature"]
            default:
                for (k, v) in d.fields { b.fields[k] = v }
            }
            blocks[i] = b
        default: break
        }
    }
    return blocks.keys.sorted().map { blocks[$0]! }
}

let weatherTool = #"{"type":"function","name":"get_weather","description":"Weather for a place","parameters":{"type":"object","properties":{"location":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":7},"unit":{"type":"string","enum":["celsius","fahrenheit"]},"detailed":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"}},"where":{"type":"object","properties":{"lat":{"type":"number"},"lon":{"type":"number"}},"required":["lat","lon"]}},"required":["location","days","unit","where"]}}"#
