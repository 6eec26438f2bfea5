import Testing
import UnderstudyModel
import UnderstudyWire

struct ExpectedFailure: Error {}

/// Parses JSON text written in a test; a typo in the test itself fails loudly.
func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue {
    do {
        return try JSONValue.parse(text)
    } catch {
        Issue.record("test JSON does not parse: \(error)", sourceLocation: sourceLocation)
        return .null
    }
}

func decode(_ body: String) throws -> CreateRequest {
    try LegacyRequestDecoder.decode(body: Array(body.utf8))
}

func decode(_ body: JSONValue) throws -> CreateRequest {
    try LegacyRequestDecoder.decode(json: body)
}

/// The error a create body is refused with; records an issue when it is accepted.
func refusal(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) -> APIError? {
    do {
        _ = try LegacyRequestDecoder.decode(body: Array(body.utf8))
        Issue.record("accepted: \(body)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

func refusal(_ body: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) -> APIError? {
    do {
        _ = try LegacyRequestDecoder.decode(json: body)
        Issue.record("accepted: \(body.jsonString)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A minimal valid body with `extra` members merged in.
func body(_ extra: [String: JSONValue] = [:], input: JSONValue = "Hi") -> JSONValue {
    var o: [String: JSONValue] = ["model": "gemini-2.5-flash", "input": input]
    for (k, v) in extra { o[k] = v }
    return .object(o)
}
