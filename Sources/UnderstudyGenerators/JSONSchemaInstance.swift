import UnderstudyModel

/// Builds a JSON value that satisfies a JSON Schema, deterministically from a seed and a label.
///
/// Used for synthesized function-call arguments and for structured output (`response_format`). The
/// choices (which enum member, which optional members, how many items) come from `SeededRandom`, so the
/// same schema, seed and label always give the same instance. Schemas come from clients, so the generator
/// is bounded everywhere (depth, node count, sizes, integer ranges): a hostile schema yields a best effort
/// value, never a crash or a hang; `JSONSchemaValidator` tells whether the result is valid.
public struct JSONSchemaInstance: Sendable {
    public var seed: UInt64
    public var label: String
    /// Upper bound on generated values (objects, arrays and scalars count one each).
    public var nodeBudget = 4000
    public static let maxDepth = 32
    public static let maxItems = 64
    public static let maxStringLength = 4096

    public init(seed: UInt64, label: String) {
        self.seed = seed
        self.label = label
    }

    public func instance(for schema: JSONValue) -> JSONValue {
        var state = State(rng: SeededRandom(seed: seed, label: label), budget: nodeBudget, root: schema)
        let value = state.generate(schema, name: "value", depth: 0)
        // oneOf / anyOf choices may have produced an invalid value; try other seeds a few times.
        if JSONSchemaValidator(root: schema).validate(value, schema) { return value }
        for attempt in 1...8 {
            var retry = State(rng: SeededRandom(seed: seed &+ UInt64(attempt), label: label), budget: nodeBudget, root: schema)
            retry.preferFirst = attempt.isMultiple(of: 2)
            let candidate = retry.generate(schema, name: "value", depth: 0)
            if JSONSchemaValidator(root: schema).validate(candidate, schema) { return candidate }
        }
        return value
    }

    struct State {
        var rng: SeededRandom
        var budget: Int
        let root: JSONValue
        var preferFirst = false

        mutating func spend() -> Bool {
            budget -= 1
            return budget >= 0
        }

        func resolve(_ ref: String) -> JSONValue? {
            JSONSchemaValidator(root: root).resolve(ref)
        }

        /// `allOf` members merged into one schema (properties, required and scalar keywords).
        func merged(_ s: [String: JSONValue]) -> [String: JSONValue] {
            guard let parts = s["allOf"]?.arrayValue else { return s }
            var out = s
            out["allOf"] = nil
            for part in parts {
                var p = part.objectValue ?? [:]
                if let ref = p["$ref"]?.stringValue, let target = resolve(ref)?.objectValue { p = merged(target) }
                for (k, v) in p {
                    switch k {
                    case "properties":
                        var props = out["properties"]?.objectValue ?? [:]
                        for (pk, pv) in v.objectValue ?? [:] { props[pk] = pv }
                        out["properties"] = .object(props)
                    case "required":
                        let existing = out["required"]?.arrayValue ?? []
                        out["required"] = .array(existing + (v.arrayValue ?? []).filter { !existing.contains($0) })
                    default:
                        if out[k] == nil { out[k] = v }
                    }
                }
            }
            return out
        }

        mutating func pick<T>(_ items: [T]) -> T {
            preferFirst ? items[0] : items[rng.below(items.count)]
        }

        mutating func generate(_ schema: JSONValue, name: String, depth: Int) -> JSONValue {
            guard spend(), depth <= JSONSchemaInstance.maxDepth else { return .null }
            if case .bool(let b) = schema { return b ? .string(name) : .null }
            guard case .object(let raw) = schema else { return .null }
            if let ref = raw["$ref"]?.stringValue, let target = resolve(ref) {
                return generate(target, name: name, depth: depth + 1)
            }
            let s = merged(raw)
            if let c = s["const"] { return c }
            if let e = s["enum"]?.arrayValue, !e.isEmpty { return pick(e) }
            for key in ["oneOf", "anyOf"] {
                if let alts = s[key]?.arrayValue, !alts.isEmpty {
                    let nonNull = alts.filter { $0["type"]?.stringValue != "null" }
                    var base = s
                    base[key] = nil
                    let chosen = pick(nonNull.isEmpty ? alts : nonNull)
                    // Sibling keywords (e.g. properties next to anyOf) apply too.
                    if base.keys.contains(where: { ["type", "properties", "required"].contains($0) }), var c = chosen.objectValue {
                        for (k, v) in base where c[k] == nil { c[k] = v }
                        return generate(.object(c), name: name, depth: depth + 1)
                    }
                    return generate(chosen, name: name, depth: depth + 1)
                }
            }
            if let examples = s["examples"]?.arrayValue, let first = examples.first { return first }
            if let d = s["default"] { return d }
            var type = s["type"]?.stringValue
            if type == nil, let types = s["type"]?.arrayValue?.compactMap(\.stringValue), !types.isEmpty {
                type = types.first { $0 != "null" } ?? types[0]
            }
            if type == nil {
                if s["properties"] != nil || s["required"] != nil || s["additionalProperties"] != nil { type = "object" }
                else if s["items"] != nil || s["prefixItems"] != nil { type = "array" }
                else if s["minLength"] != nil || s["pattern"] != nil || s["format"] != nil { type = "string" }
                else if s["minimum"] != nil || s["maximum"] != nil { type = "number" }
            }
            switch type {
            case "object": return object(s, depth: depth)
            case "array": return array(s, name: name, depth: depth)
            case "integer": return integer(s)
            case "number": return number(s)
            case "boolean": return .bool(rng.below(2) == 0)
            case "null": return .null
            case "string": return .string(string(s, name: name))
            default: return .string(string(s, name: name))
            }
        }

        mutating func object(_ s: [String: JSONValue], depth: Int) -> JSONValue {
            var out: [String: JSONValue] = [:]
            let props = s["properties"]?.objectValue ?? [:]
            let required = Set((s["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            for key in props.keys.sorted() where required.contains(key) || (depth < 3 && budget > 100 && rng.below(4) != 0) {
                out[key] = generate(props[key]!, name: key, depth: depth + 1)
            }
            // Required members without a property schema.
            let extraSchema: JSONValue = s["additionalProperties"].flatMap { $0.boolValue == false ? nil : $0 } ?? .object([:])
            for key in required.sorted() where out[key] == nil {
                out[key] = generate(extraSchema, name: key, depth: depth + 1)
            }
            let minProperties = Int(clamping: s["minProperties"]?.intValue ?? 0)
            var n = 1
            while out.count < min(minProperties, JSONSchemaInstance.maxItems) && budget > 0 {
                if s["additionalProperties"]?.boolValue == false {
                    guard let unused = props.keys.sorted().first(where: { out[$0] == nil }) else { break }
                    out[unused] = generate(props[unused]!, name: unused, depth: depth + 1)
                } else {
                    let key = "extra_\(n)"
                    if out[key] == nil { out[key] = generate(extraSchema, name: key, depth: depth + 1) }
                }
                n += 1
            }
            return .object(out)
        }

        mutating func array(_ s: [String: JSONValue], name: String, depth: Int) -> JSONValue {
            let prefix = s["prefixItems"]?.arrayValue ?? []
            let minItems = max(0, min(Int(clamping: s["minItems"]?.intValue ?? 0), JSONSchemaInstance.maxItems))
            let maxItems = max(0, min(Int(clamping: s["maxItems"]?.intValue ?? Int64(max(minItems, prefix.count, 2))), JSONSchemaInstance.maxItems))
            let wanted = max(minItems, min(maxItems, max(prefix.count, minItems + 1 + rng.below(2))))
            let count = min(wanted, maxItems)
            let items = s["items"] ?? .object([:])
            let unique = s["uniqueItems"]?.boolValue == true
            var out: [JSONValue] = []
            var attempts = 0
            while out.count < count && attempts < count * 4 + 4 && budget > 0 {
                attempts += 1
                let i = out.count
                let itemSchema = i < prefix.count ? prefix[i] : (items.boolValue == false ? .object([:]) : items)
                let value = generate(itemSchema, name: "\(name)_\(i + 1)", depth: depth + 1)
                if unique && out.contains(value) { continue }
                out.append(value)
            }
            if let contains = s["contains"], !out.contains(where: { JSONSchemaValidator(root: root).validate($0, contains) }), out.count < JSONSchemaInstance.maxItems {
                let value = generate(contains, name: name, depth: depth + 1)
                if out.count >= maxItems, !out.isEmpty { out[out.count - 1] = value } else { out.append(value) }
            }
            return .array(out)
        }

        mutating func integer(_ s: [String: JSONValue]) -> JSONValue {
            var lo = s["minimum"]?.doubleValue ?? -Double.infinity
            var hi = s["maximum"]?.doubleValue ?? Double.infinity
            if let e = s["exclusiveMinimum"]?.doubleValue { lo = max(lo, e.rounded(.down) + 1) }
            if let e = s["exclusiveMaximum"]?.doubleValue { hi = min(hi, e.rounded(.up) - 1) }
            lo = lo.rounded(.up)
            hi = hi.rounded(.down)
            let limit = 9.0e15
            let low = lo.isFinite ? max(lo, -limit) : (hi.isFinite ? min(hi, limit) - 100 : 1)
            let high = hi.isFinite ? min(hi, limit) : low + 100
            guard low <= high else { return .int(Int64(low)) }
            let span = min(high - low, 1000)
            var value = low + Double(rng.below(Int(span) + 1))
            if let m = s["multipleOf"]?.doubleValue, m > 0, m.rounded() == m {
                let first = (low / m).rounded(.up) * m
                if first <= high { value = first + m * Double(rng.below(Int(min((high - first) / m, 50)) + 1)) }
            }
            return .int(Int64(max(-limit, min(limit, value))))
        }

        mutating func number(_ s: [String: JSONValue]) -> JSONValue {
            var lo = s["minimum"]?.doubleValue ?? (s["exclusiveMinimum"]?.doubleValue ?? 0)
            var hi = s["maximum"]?.doubleValue ?? (s["exclusiveMaximum"]?.doubleValue ?? lo + 100)
            if !lo.isFinite { lo = 0 }
            if !hi.isFinite || hi > 1e15 { hi = min(lo + 100, 1e15) }
            if lo < -1e15 { lo = hi - 100 }
            if let m = s["multipleOf"]?.doubleValue, m > 0 {
                let first = (lo / m).rounded(.up) * m
                var v = first + m * Double(rng.below(Int(max(0, min((hi - first) / m, 50))) + 1))
                if s["exclusiveMinimum"]?.doubleValue == v { v += m }
                if v > hi { v = first }
                return .double(v)
            }
            var v = lo + (hi - lo) * Double(rng.below(1000) + 1) / 1001
            v = (v * 100).rounded() / 100
            if let e = s["exclusiveMinimum"]?.doubleValue, v <= e { v = e + (hi - e) / 2 }
            if let e = s["exclusiveMaximum"]?.doubleValue, v >= e { v = lo + (e - lo) / 2 }
            if v < lo || v > hi { v = lo }
            return .double(v)
        }

        mutating func string(_ s: [String: JSONValue], name: String) -> String {
            let minLength = max(0, min(Int(clamping: s["minLength"]?.intValue ?? 0), JSONSchemaInstance.maxStringLength))
            let maxLength = max(0, min(Int(clamping: s["maxLength"]?.intValue ?? Int64(JSONSchemaInstance.maxStringLength)), JSONSchemaInstance.maxStringLength))
            var text: String
            if let pattern = s["pattern"]?.stringValue, let generated = RegexSample.generate(pattern, rng: &rng) {
                text = generated
            } else {
                text = StringFormats.sample(format: s["format"]?.stringValue, name: name, rng: &rng)
            }
            if text.count < minLength { text += String(repeating: "x", count: minLength - text.count) }
            if text.count > maxLength { text = String(text.prefix(maxLength)) }
            return text
        }
    }
}

/// Sample strings for common formats and property names.
enum StringFormats {
    static func sample(format: String?, name: String, rng: inout SeededRandom) -> String {
        let n = rng.below(90) + 10
        switch format {
        case "date": return "2025-12-\(n % 18 + 10)"
        case "date-time": return "2025-12-15T10:\(n % 50 + 10):00Z"
        case "time": return "\(n % 8 + 10):00:00Z"
        case "duration": return "PT\(n)M"
        case "email", "idn-email":
            let local = String(name.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(20))
            return "\(local.isEmpty ? "user" : local)\(n)@example.com"
        case "uri", "url", "iri": return "https://example.com/\(n)"
        case "uri-reference", "iri-reference": return "/items/\(n)"
        case "hostname", "idn-hostname": return "host\(n).example.com"
        case "uuid": return "123e4567-e89b-42d3-a456-4266141740\(n)"
        case "ipv4": return "192.0.2.\(n)"
        case "ipv6": return "2001:db8::\(n)"
        case "json-pointer": return "/items/\(n % 10)"
        case "regex": return "^[a-z]+$"
        default:
            let words = name.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
            return "sample \(words)"
        }
    }
}

/// A deterministic generator (SplitMix64) seeded from a seed and a label.
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
