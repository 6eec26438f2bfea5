import UnderstudyModel

/// Builds a JSON value that satisfies a JSON Schema, deterministically from a seed and a label.
///
/// Used for synthesized function-call arguments and for structured output (`response_format`). The
/// choices (which enum member, which optional members, how many items) come from `SeededRandom`, so the
/// same schema, seed and label always give the same instance.
public struct JSONSchemaInstance: Sendable {
    public var seed: UInt64
    public var label: String

    public init(seed: UInt64, label: String) {
        self.seed = seed
        self.label = label
    }

    public func instance(for schema: JSONValue) -> JSONValue {
        var rng = SeededRandom(seed: seed, label: label)
        return generate(schema, root: schema, name: "value", depth: 0, rng: &rng)
    }

    func resolve(_ ref: String, root: JSONValue) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var node = root
        for raw in ref.dropFirst().split(separator: "/") {
            let key = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let i = Int(key), let a = node.arrayValue, i < a.count {
                node = a[i]
            } else if let next = node[key] {
                node = next
            } else {
                return nil
            }
        }
        return node
    }

    func generate(_ schema: JSONValue, root: JSONValue, name: String, depth: Int, rng: inout SeededRandom) -> JSONValue {
        if case .bool(let b) = schema { return b ? .string(name) : .null }
        guard case .object(let s) = schema else { return .null }
        if let ref = s["$ref"]?.stringValue, let target = resolve(ref, root: root), depth < 24 {
            return generate(target, root: root, name: name, depth: depth + 1, rng: &rng)
        }
        if let c = s["const"] { return c }
        if let e = s["enum"]?.arrayValue, !e.isEmpty { return e[rng.below(e.count)] }
        for key in ["anyOf", "oneOf"] {
            if let alts = s[key]?.arrayValue, !alts.isEmpty {
                let nonNull = alts.filter { $0["type"]?.stringValue != "null" }
                let pool = nonNull.isEmpty ? alts : nonNull
                return generate(pool[rng.below(pool.count)], root: root, name: name, depth: depth + 1, rng: &rng)
            }
        }
        var type = s["type"]?.stringValue
        if type == nil, let types = s["type"]?.arrayValue?.compactMap(\.stringValue) {
            type = types.first { $0 != "null" } ?? types.first
        }
        if type == nil {
            if s["properties"] != nil { type = "object" } else if s["items"] != nil { type = "array" }
        }
        switch type {
        case "object":
            var out: [String: JSONValue] = [:]
            let props = s["properties"]?.objectValue ?? [:]
            let required = Set((s["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            for key in props.keys.sorted() where required.contains(key) || depth < 4 {
                out[key] = generate(props[key]!, root: root, name: key, depth: depth + 1, rng: &rng)
            }
            return .object(out)
        case "array":
            let minItems = Int(s["minItems"]?.intValue ?? 1)
            let maxItems = Int(s["maxItems"]?.intValue ?? Int64(max(minItems, 2)))
            let count = max(minItems, min(maxItems, minItems + rng.below(2)))
            let items = s["items"] ?? .object([:])
            return .array((0..<count).map { i in generate(items, root: root, name: "\(name)_\(i + 1)", depth: depth + 1, rng: &rng) })
        case "integer":
            let lo = s["minimum"]?.intValue ?? 1
            let hi = s["maximum"]?.intValue ?? max(lo, 100)
            return .int(lo + Int64(rng.below(Int(min(hi - lo + 1, 1000)))))
        case "number":
            let lo = s["minimum"]?.doubleValue ?? 0
            let hi = s["maximum"]?.doubleValue ?? max(lo, 100)
            let v = lo + Double(rng.below(1000)) / 1000 * (hi - lo)
            return .double((v * 100).rounded() / 100)
        case "boolean":
            return .bool(rng.below(2) == 0)
        case "null":
            return .null
        default:
            return .string(StringFormats.sample(format: s["format"]?.stringValue, name: name, rng: &rng))
        }
    }
}

/// Sample strings for common formats and property names.
enum StringFormats {
    static func sample(format: String?, name: String, rng: inout SeededRandom) -> String {
        switch format {
        case "date": return "2025-12-\(10 + rng.below(18))"
        case "date-time": return "2025-12-15T10:\(10 + rng.below(49)):00Z"
        case "time": return "\(10 + rng.below(8)):00:00"
        case "email": return "\(name.lowercased())@example.com"
        case "uri", "url": return "https://example.com/\(name.lowercased())"
        case "uuid": return "123e4567-e89b-42d3-a456-42661417400\(rng.below(10))"
        default: return "sample \(name.replacingOccurrences(of: "_", with: " "))"
        }
    }
}

/// A small deterministic generator (SplitMix64) seeded from a seed and a label.
public struct SeededRandom: Sendable {
    var state: UInt64

    public init(seed: UInt64, label: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in label.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        state = seed ^ h
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (0 when n <= 0).
    public mutating func below(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        return Int(next() % UInt64(n))
    }
}
