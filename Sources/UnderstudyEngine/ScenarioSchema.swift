import UnderstudyModel

/// The shape of scenario files, checked with the same validator as API requests so that problems are
/// reported by path (and, through the loader's mark table, by line).
enum ScenarioSchema {
    typealias F = ObjectSchema.Field

    static let duration = SchemaType.oneOf([.number, .string], describe: "a duration like 250ms, 2s, 5m, 24h or 55d")

    static let matcher = SchemaType.object(ObjectSchema(
        "match",
        [
            F("model", .string), F("agent", .string), F("input_contains", .string), F("input_matches", .string),
            F("tools", .array(.string)), F("has_previous", .bool), F("headers", .map(.string)),
            F("stream", .bool), F("background", .bool), F("nth", .integer),
        ],
        aliases: ["header": "headers"]))

    static let expectation = SchemaType.object(ObjectSchema(
        "expect",
        [F("function_results", .array(.string)), F("input_contains", .string), F("input_matches", .string), F("tools", .array(.string))]))

    static let wait = SchemaType.object(ObjectSchema(
        "background wait",
        [F("polls", .integer), F("after", duration), F("hold", .string), F("immediately", .bool), F("note", .string)]))

    static let reply = SchemaType.object(ObjectSchema(
        "reply",
        [
            F("text", .string),
            F("outputs", .array(.freeObject)),
            F("status", .enumeration("status", ["completed", "requires_action", "failed", "incomplete", "cancelled"], caseInsensitive: false)),
            F("usage", .object(ObjectSchema("usage", [
                F("input_tokens", .integer), F("output_tokens", .integer), F("reasoning_tokens", .integer),
                F("cached_tokens", .integer), F("tool_use_tokens", .integer),
            ]))),
            F("error", .object(ObjectSchema("error", [F("code", .string), F("message", .string)]))),
            F("stream", .object(ObjectSchema("stream", [
                F("chunk_size", .integer), F("delay", duration), F("cut_after", .integer),
                F("malformed_event", .integer), F("drip", duration), F("unknown_event_after", .integer),
            ]))),
            F("background", .array(wait)),
            F("retention", duration),
        ]))

    static let step = SchemaType.object(ObjectSchema(
        "step", [F("match", matcher), F("expect", expectation), F("reply", reply, required: true)]))

    static let fault = SchemaType.object(ObjectSchema(
        "fault",
        [
            F("on", .enumeration("on", Scenario.Fault.Route.allCases.map(\.rawValue), caseInsensitive: false)),
            F("times", .integer), F("skip", .integer),
            F("status", .integer), F("status_name", .string), F("message", .string),
            F("retry_after", duration), F("retry_after_ms", .integer), F("should_retry", .bool),
            F("headers", .map(.string)), F("details", .array(.freeObject)),
            F("latency", duration), F("drop_connection", .bool),
        ]))

    static let scenario = SchemaType.object(ObjectSchema(
        "scenario",
        [
            F("name", .string, required: true), F("description", .string), F("explicit", .bool), F("match", matcher),
            F("reply", reply), F("steps", .array(step)), F("faults", .array(fault)),
        ]))

    /// A fix to suggest for a schema violation in a scenario file.
    static func hint(for v: SchemaViolation) -> String? {
        if v.message.contains("Unknown name") {
            return "Check the spelling against the reference in scenarios/README.md (members are snake_case)."
        }
        if v.message.contains("Missing required field") { return "Add the missing member." }
        if v.message.contains("Allowed values") { return "Use one of the allowed values listed." }
        return nil
    }
}
