import Foundation
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

    /// A schema violation in plain words (no wire jargon such as `TYPE_INT64`) and a fix.
    /// `value` was validated as `type` starting at `base`; `path` is where the violation is.
    static func plain(_ v: SchemaViolation, path: FieldPath, value: JSONValue, type: SchemaType, base: FieldPath) -> (String, String?) {
        var message = v.message
        let prefix = "Invalid JSON payload received. "
        if message.hasPrefix(prefix) { message = String(message.dropFirst(prefix.count)) }
        let place = path.description.isEmpty ? "the top level" : "'\(path)'"
        let parent = FieldPath(Array(path.components.dropLast()))
        let parentPlace = parent.description.isEmpty ? "the scenario" : "'\(parent)'"
        let last: String = {
            if case .key(let k)? = path.components.last { return k }
            return path.description
        }()

        // Unknown name "key" at 'path': Cannot find field.
        if message.hasPrefix("Unknown name \"") {
            let allowed = members(at: parent, value: value, type: type, base: base) ?? []
            var fix = "Check the spelling against the reference in scenarios/README.md (members are snake_case)."
            if let guess = nearest(last, among: allowed) {
                fix = "Did you mean '\(guess)'? Members allowed here: \(allowed.joined(separator: ", "))."
            } else if !allowed.isEmpty {
                fix = "Members allowed here: \(allowed.joined(separator: ", "))."
            }
            return ("Unknown member '\(last)' in \(parentPlace).", fix)
        }
        // Missing required field 'path'[ for content of type T].
        if message.hasPrefix("Missing required field '") {
            var what = ""
            if let r = message.range(of: " of type ") {
                what = " (a " + message[r.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ".")) + " block)"
            }
            if let r = message.range(of: "': every ") {
                return ("Missing required member '\(last)' in \(parentPlace): every " + message[r.upperBound...], "Add '\(last): ...'.")
            }
            return ("Missing required member '\(last)' in \(parentPlace)\(what).", "Add '\(last): ...'.")
        }
        // Invalid value at 'path' (NAME), "shown". Allowed values: a, b.
        if let r = message.range(of: "Allowed values: ") {
            let allowed = message[r.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "."))
            let shown = quotedValue(in: message) ?? "this value"
            let guess = nearest(shown.trimmingCharacters(in: CharacterSet(charactersIn: "\"")), among: allowed.components(separatedBy: ", "))
            return ("\(place) is \(shown), which is not allowed; allowed values: \(allowed).", guess.map { "Did you mean '\($0)'?" } ?? "Use one of: \(allowed).")
        }
        // Invalid value at 'path' (TYPE_X), shown: expected E.
        if message.hasPrefix("Invalid value at '"), let e = message.range(of: ": expected ", options: .backwards) {
            var expected = String(message[e.upperBound...])
            if expected.hasSuffix(".") { expected.removeLast() }
            var got = ""
            if let close = message.range(of: "), ") { got = String(message[close.upperBound..<e.lowerBound]) }
            if let g = expected.range(of: ", got ") {  // oneOf: "expected D, got KIND"
                got = "a " + expected[g.upperBound...]
                expected = String(expected[..<g.lowerBound])
            }
            expected = expected.replacingOccurrences(of: "an array", with: "a list").replacingOccurrences(of: "an object", with: "a mapping")
            got = got.replacingOccurrences(of: "an array", with: "a list").replacingOccurrences(of: "an object", with: "a mapping")
            let text = "\(place) must be \(expected)" + (got.isEmpty ? "." : ", got \(got).")
            return (text, typeFix(expected: expected, member: last, path: path))
        }
        return (message.replacingOccurrences(of: #"\s*\((TYPE_[A-Z0-9]+)\)"#, with: "", options: .regularExpression), nil)
    }

    static func typeFix(expected: String, member: String, path: FieldPath) -> String {
        if path.description.hasSuffix("error.code") {
            return "Quote it: error codes are strings, e.g. code: \"INTERNAL\" or code: \"500\"."
        }
        switch expected {
        case "an integer": return "Write a whole number without quotes, e.g. \(member): 3."
        case "a number": return "Write a number without quotes, e.g. \(member): 0.5."
        case "a string": return "Write text; quote it when it looks like a number or a boolean, e.g. \(member): \"5\"."
        case "true or false": return "Write true or false, without quotes."
        case "a list": return "Write a list: \(member): [a, b], or one '- item' per line."
        case "a mapping": return "Write a mapping: \(member): {key: value}, or indented 'key: value' lines."
        default:
            if expected.contains("duration") { return "Write a number of seconds or a number with a unit: 250ms, 2s, 5m, 24h, 55d." }
            return "See the reference in scenarios/README.md."
        }
    }

    /// The first double-quoted value in a message.
    static func quotedValue(in message: String) -> String? {
        guard let open = message.firstIndex(of: "\"") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return "\"" + rest[..<close] + "\""
    }

    /// Drops "missing required member X" when the same object has a misspelt member whose nearest
    /// name is X: one typo, one problem (the unknown member's fix names X).
    static func withoutEchoes(_ violations: [SchemaViolation], value: JSONValue, type: SchemaType, base: FieldPath) -> [SchemaViolation] {
        var explained: Set<String> = []
        for v in violations where v.message.contains("Unknown name \"") {
            let path = FieldPath.parse(v.field)
            guard case .key(let key)? = path.components.last else { continue }
            let parent = FieldPath(Array(path.components.dropLast()))
            if let guess = nearest(key, among: members(at: parent, value: value, type: type, base: base) ?? []) {
                explained.insert(parent.appending(guess).description)
            }
        }
        return violations.filter { !($0.message.hasPrefix("Missing required field") && explained.contains($0.field)) }
    }

    /// The members an object at `path` may have, when the schema says so.
    static func members(at path: FieldPath, value: JSONValue, type: SchemaType, base: FieldPath) -> [String]? {
        guard path.components.starts(with: base.components) else { return nil }
        var t = type
        var v: JSONValue? = value
        var rest = ArraySlice(path.components.dropFirst(base.components.count))
        while true {
            if case .union(let u) = t {
                guard let tag = v?[u.discriminator]?.stringValue, let variant = u.variants[tag] else { return nil }
                t = .object(variant)
                continue
            }
            guard let c = rest.first else { break }
            rest = rest.dropFirst()
            switch (t, c) {
            case (.object(let o), .key(let k)):
                guard let f = o.field(named: o.aliases[k] ?? k) else { return nil }
                t = f.type
                v = v?[k]
            case (.array(let e), .index(let i)):
                t = e
                v = v?.arrayValue.flatMap { i < $0.count ? $0[i] : nil }
            case (.map(let e), .key(let k)):
                t = e
                v = v?[k]
            default:
                return nil
            }
        }
        if case .object(let o) = t { return o.fields.map(\.name) }
        return nil
    }

    /// The candidate closest to `word` (edit distance at most 2, or one is a prefix of the other).
    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let w = word.lowercased()
        let scored = candidates.map { ($0, distance(w, $0.lowercased())) }.filter { c in
            c.1 <= 2 || (w.count >= 3 && (c.0.hasPrefix(w) || w.hasPrefix(c.0)))
        }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let current = row[j]
                row[j] = a[i - 1] == b[j - 1] ? previous : 1 + min(previous, row[j], row[j - 1])
                previous = current
            }
        }
        return row[b.count]
    }
}
