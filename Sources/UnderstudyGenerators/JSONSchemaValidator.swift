import Foundation
import UnderstudyModel

/// Checks a JSON value against a JSON Schema (the draft 2020-12 keywords the generator produces for).
///
/// Used by the generator to pick valid `oneOf`/`anyOf` alternatives and by tests. Bounded like the
/// generator: deep or cyclic `$ref`s stop at a fixed depth.
public struct JSONSchemaValidator: Sendable {
    public let root: JSONValue
    public init(root: JSONValue) { self.root = root }

    public func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var node = root
        for raw in ref.dropFirst().split(separator: "/") {
            let key = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let i = Int(key), let a = node.arrayValue, i >= 0, i < a.count {
                node = a[i]
            } else if let next = node[key] {
                node = next
            } else {
                return nil
            }
        }
        return node
    }

    public func validate(_ value: JSONValue, _ schema: JSONValue) -> Bool { check(value, schema, depth: 0) }

    func check(_ v: JSONValue, _ schema: JSONValue, depth: Int) -> Bool {
        if depth > 64 { return true }
        if case .bool(let b) = schema { return b }
        guard let s = schema.objectValue else { return true }
        if let ref = s["$ref"]?.stringValue {
            guard let target = resolve(ref), check(v, target, depth: depth + 1) else { return false }
        }
        if let c = s["const"], !same(v, c) { return false }
        if let e = s["enum"]?.arrayValue, !e.contains(where: { same(v, $0) }) { return false }
        if let all = s["allOf"]?.arrayValue, !all.allSatisfy({ check(v, $0, depth: depth + 1) }) { return false }
        if let any = s["anyOf"]?.arrayValue, !any.contains(where: { check(v, $0, depth: depth + 1) }) { return false }
        if let one = s["oneOf"]?.arrayValue, one.filter({ check(v, $0, depth: depth + 1) }).count != 1 { return false }
        if let not = s["not"], check(v, not, depth: depth + 1) { return false }
        if let t = s["type"] {
            let types = t.stringValue.map { [$0] } ?? (t.arrayValue ?? []).compactMap(\.stringValue)
            if !types.isEmpty, !types.contains(where: { isType(v, $0) }) { return false }
        }
        switch v {
        case .object(let o):
            let props = s["properties"]?.objectValue ?? [:]
            for key in (s["required"]?.arrayValue ?? []).compactMap(\.stringValue) where o[key] == nil { return false }
            if let n = s["minProperties"]?.intValue, o.count < n { return false }
            if let n = s["maxProperties"]?.intValue, o.count > n { return false }
            let patterns = s["patternProperties"]?.objectValue ?? [:]
            for (k, value) in o {
                var covered = false
                if let p = props[k] {
                    covered = true
                    if !check(value, p, depth: depth + 1) { return false }
                }
                for (pattern, ps) in patterns where (try? Regex(pattern)).flatMap({ try? $0.firstMatch(in: k) }) != nil {
                    covered = true
                    if !check(value, ps, depth: depth + 1) { return false }
                }
                if !covered, let extra = s["additionalProperties"], !check(value, extra, depth: depth + 1) { return false }
            }
        case .array(let a):
            if let n = s["minItems"]?.intValue, a.count < n { return false }
            if let n = s["maxItems"]?.intValue, a.count > n { return false }
            let prefix = s["prefixItems"]?.arrayValue ?? []
            for (i, item) in a.enumerated() {
                if i < prefix.count {
                    if !check(item, prefix[i], depth: depth + 1) { return false }
                } else if let items = s["items"], !check(item, items, depth: depth + 1) {
                    return false
                }
            }
            if s["uniqueItems"]?.boolValue == true {
                for i in a.indices { for j in a.indices where j > i && same(a[i], a[j]) { return false } }
            }
            if let c = s["contains"], !a.contains(where: { check($0, c, depth: depth + 1) }) { return false }
        case .string(let str):
            let length = str.unicodeScalars.count
            if let n = s["minLength"]?.intValue, length < n { return false }
            if let n = s["maxLength"]?.intValue, length > n { return false }
            if let p = s["pattern"]?.stringValue, let regex = try? Regex(p), (try? regex.firstMatch(in: str)) == nil { return false }
        case .int, .double:
            let d = v.doubleValue ?? 0
            if let m = s["minimum"]?.doubleValue, d < m { return false }
            if let m = s["maximum"]?.doubleValue, d > m { return false }
            if let m = s["exclusiveMinimum"]?.doubleValue, d <= m { return false }
            if let m = s["exclusiveMaximum"]?.doubleValue, d >= m { return false }
            if let m = s["multipleOf"]?.doubleValue, m > 0 {
                let q = d / m
                if abs(q - q.rounded()) > 1e-9 { return false }
            }
        default: break
        }
        return true
    }

    func isType(_ v: JSONValue, _ type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d.rounded() == d
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    /// JSON equality (1 and 1.0 are equal).
    func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue, a.kindName != "string", b.kindName != "string" { return x == y }
        return a == b
    }
}

/// Generates strings matching a practical subset of regular expressions: literals, escapes (`\d \w \s`),
/// classes and ranges, `.`, groups, alternation, anchors and quantifiers (`? * + {m} {m,n}`). Returns nil
/// for patterns outside the subset, or when the result does not match (checked with Swift's `Regex`).
enum RegexSample {
    indirect enum Node {
        case literal(Character)
        case set([ClosedRange<Character>], negated: Bool)
        case sequence([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int)
    }

    static func generate(_ pattern: String, rng: inout SeededRandom) -> String? {
        var parser = Parser(chars: Array(pattern))
        guard let node = parser.parseAlternation(), parser.index == parser.chars.count else { return nil }
        for _ in 0..<8 {
            var out = ""
            emit(node, into: &out, rng: &rng)
            if let regex = try? Regex(pattern), (try? regex.firstMatch(in: out)) != nil { return out }
        }
        return nil
    }

    static func emit(_ node: Node, into out: inout String, rng: inout SeededRandom) {
        guard out.count < 512 else { return }
        switch node {
        case .literal(let c): out.append(c)
        case .set(let ranges, let negated):
            if negated || ranges.isEmpty {
                out.append("q")
            } else {
                let r = ranges[rng.below(ranges.count)]
                let lo = r.lowerBound.unicodeScalars.first!.value, hi = r.upperBound.unicodeScalars.first!.value
                let span = Int(hi - lo) + 1
                if let scalar = Unicode.Scalar(lo + UInt32(rng.below(max(1, min(span, 10_000))))) { out.append(Character(scalar)) }
            }
        case .sequence(let nodes): for n in nodes { emit(n, into: &out, rng: &rng) }
        case .alternation(let options): emit(options[rng.below(options.count)], into: &out, rng: &rng)
        case .repeated(let n, let lo, let hi):
            let count = lo + rng.below(max(0, min(hi, lo + 3) - lo) + 1)
            for _ in 0..<count { emit(n, into: &out, rng: &rng) }
        }
    }

    struct Parser {
        let chars: [Character]
        var index = 0

        mutating func parseAlternation() -> Node? {
            var options: [Node] = []
            guard let first = parseSequence() else { return nil }
            options.append(first)
            while index < chars.count, chars[index] == "|" {
                index += 1
                guard let next = parseSequence() else { return nil }
                options.append(next)
            }
            return options.count == 1 ? options[0] : .alternation(options)
        }

        mutating func parseSequence() -> Node? {
            var items: [Node] = []
            while index < chars.count, chars[index] != "|", chars[index] != ")" {
                let c = chars[index]
                if c == "^" || c == "$" {
                    index += 1
                    continue
                }
                guard var atom = parseAtom() else { return nil }
                if index < chars.count {
                    switch chars[index] {
                    case "?": atom = .repeated(atom, min: 0, max: 1); index += 1
                    case "*": atom = .repeated(atom, min: 0, max: 3); index += 1
                    case "+": atom = .repeated(atom, min: 1, max: 3); index += 1
                    case "{":
                        guard let close = chars[index...].firstIndex(of: "}") else { return nil }
                        let inner = String(chars[(index + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
                        guard let lo = Int(inner.first ?? "") else { return nil }
                        let hi = inner.count == 1 ? lo : (Int(inner[1]) ?? lo + 3)
                        atom = .repeated(atom, min: min(lo, 64), max: min(max(hi, lo), 64))
                        index = close + 1
                    default: break
                    }
                    if index < chars.count, chars[index] == "?" { index += 1 }  // lazy quantifier
                }
                items.append(atom)
            }
            return .sequence(items)
        }

        mutating func parseAtom() -> Node? {
            let c = chars[index]
            index += 1
            switch c {
            case "(":
                if index + 1 < chars.count, chars[index] == "?", chars[index + 1] == ":" { index += 2 }
                guard let inner = parseAlternation(), index < chars.count, chars[index] == ")" else { return nil }
                index += 1
                return inner
            case "[": return parseClass()
            case ".": return .set(["a"..."z"], negated: false)
            case "\\":
                guard index < chars.count else { return nil }
                let e = chars[index]
                index += 1
                switch e {
                case "d": return .set(["0"..."9"], negated: false)
                case "w": return .set(["a"..."z", "A"..."Z", "0"..."9", "_"..."_"], negated: false)
                case "s": return .literal(" ")
                case "D", "W", "S", "b", "B": return e == "b" || e == "B" ? .sequence([]) : .literal("-")
                default: return .literal(e)
                }
            case "*", "+", "?", "{": return nil
            default: return .literal(c)
            }
        }

        mutating func parseClass() -> Node? {
            var negated = false
            if index < chars.count, chars[index] == "^" {
                negated = true
                index += 1
            }
            var ranges: [ClosedRange<Character>] = []
            var first = true
            while index < chars.count, chars[index] != "]" || first {
                first = false
                var c = chars[index]
                index += 1
                if c == "\\", index < chars.count {
                    let e = chars[index]
                    index += 1
                    switch e {
                    case "d": ranges.append("0"..."9"); continue
                    case "w": ranges += ["a"..."z", "A"..."Z", "0"..."9", "_"..."_"]; continue
                    case "s": ranges.append(" "..." "); continue
                    default: c = e
                    }
                }
                if index + 1 < chars.count, chars[index] == "-", chars[index + 1] != "]" {
                    let hi = chars[index + 1]
                    index += 2
                    if c <= hi { ranges.append(c...hi) }
                } else {
                    ranges.append(c...c)
                }
            }
            guard index < chars.count else { return nil }
            index += 1
            return .set(ranges, negated: negated)
        }
    }
}
