import Foundation
import UnderstudyModel
import Yams

/// The expected-failures file (`--expected-failures`): case or check ids with reasons, checked against
/// the suite so that a typo cannot silently pin nothing.
///
/// Accepted forms (YAML or JSON):
///
///     expected_failures:
///       - id: STREAM-002          # a case
///         reason: …
///       - RES-001.waited          # or a check, as a plain string
///
/// or the bare list.
public enum ExpectedFailures {
    static let entryKeys = ["id", "reason"]
    static let topKeys = ["expected_failures"]

    /// Reads and validates the file; every problem is reported (with its line) in one error.
    public static func load(path: String, suite: [ConformanceCase]) throws -> [String: String] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SuiteError(description: "Cannot read the expected-failures file \(path): \(FileManager.default.fileExists(atPath: path) ? "it is not UTF-8 text" : "there is no such file").")
        }
        return try parse(text: text, source: path, suite: suite)
    }

    public static func parse(text: String, source: String, suite: [ConformanceCase]) throws -> [String: String] {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw SuiteError(description: "\(source): not valid YAML or JSON: \(error)")
        }
        guard let node else { return [:] }
        var problems: [String] = []
        func at(_ n: Node) -> String { n.mark.map { "\(source):\($0.line)" } ?? source }

        var list: Node?
        switch node {
        case .sequence: list = node
        case .mapping(let m):
            for (k, v) in m {
                let key = k.string ?? ""
                if key == "expected_failures" {
                    list = v
                } else {
                    problems.append("\(at(k)): unknown key '\(key)' at the top level; the file holds 'expected_failures:' with a list of entries\(suggestion(key, among: topKeys))")
                }
            }
            if list == nil && problems.isEmpty { problems.append("\(source): no 'expected_failures:' list") }
        default:
            problems.append("\(at(node)): the file must hold 'expected_failures:' with a list of entries ({id: CASE-OR-CHECK-ID, reason: …})")
        }
        // 'expected_failures:' with nothing after it: an empty list.
        if let l = list, case .scalar = l, l.tag.description == Tag.Name.null.rawValue { list = nil }

        let caseIDs = suite.map(\.id)
        let checkIDs = suite.flatMap { $0.checks.map(\.id) }
        let known = Set(caseIDs + checkIDs)
        var out: [String: String] = [:]
        var firstLine: [String: String] = [:]

        if let list {
            guard case .sequence(let items) = list else {
                problems.append("\(at(list)): 'expected_failures' must be a list of entries such as '- id: STREAM-002' with a 'reason:'")
                try fail(problems)
            }
            for item in items {
                var id: String?
                var reason = ""
                switch item {
                case .scalar(let s):
                    id = s.string
                case .mapping(let m):
                    for (k, v) in m {
                        let key = k.string ?? ""
                        switch key {
                        case "id":
                            if let s = v.scalar?.string, !s.isEmpty { id = s } else { problems.append("\(at(v)): 'id' must be a case or check id such as STREAM-002 or RES-001.waited") }
                        case "reason":
                            reason = v.scalar?.string ?? ""
                        default:
                            problems.append("\(at(k)): unknown key '\(key)' in an entry; an entry has 'id' (a case or check id) and 'reason'\(suggestion(key, among: entryKeys))")
                        }
                    }
                    if id == nil, !m.contains(where: { $0.key.string == "id" }) {
                        problems.append("\(at(item)): the entry has no 'id'; give the case or check id, e.g. '- id: STREAM-002'.")
                    }
                default:
                    problems.append("\(at(item)): an entry is a case or check id, or {id: …, reason: …}")
                }
                guard let id else { continue }
                if !known.contains(id) {
                    problems.append("\(at(item)): '\(id)' is not a case or check of the suite\(nearest(id, caseIDs: caseIDs, suite: suite))")
                    continue
                }
                if let first = firstLine[id] {
                    problems.append("\(at(item)): '\(id)' is listed twice (first at \(first)); keep one entry")
                    continue
                }
                firstLine[id] = at(item)
                out[id] = reason
            }
        }
        if !problems.isEmpty { try fail(problems) }
        return out
    }

    static func fail(_ problems: [String]) throws -> Never {
        throw SuiteError(description: "The expected-failures file has \(problems.count == 1 ? "a problem" : "\(problems.count) problems"):\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
    }

    static func suggestion(_ word: String, among options: [String]) -> String {
        guard let best = options.min(by: { distance(word, $0) < distance(word, $1) }), distance(word, best) <= max(2, best.count / 2) else { return "." }
        return " (did you mean '\(best)'?)."
    }

    /// "; did you mean …?" and what exists.
    static func nearest(_ id: String, caseIDs: [String], suite: [ConformanceCase]) -> String {
        let parts = id.split(separator: ".", maxSplits: 1).map(String.init)
        let candidates: [String] = parts.count == 2 ? suite.flatMap { $0.checks.map(\.id) } : caseIDs
        let best = candidates.min { distance(id, $0) < distance(id, $1) }
        var s = ""
        var suggested: String?
        if let best, distance(id, best) <= max(3, id.count / 3) { s += "; did you mean '\(best)'?"; suggested = best } else { s += "." }
        let caseOfCheck = parts.count == 2 ? (suite.first { $0.id == parts[0] } ?? suggested.flatMap { b in suite.first { c in c.checks.contains { $0.id == b } } }) : nil
        if let c = caseOfCheck {
            s += " Case \(c.id) has the checks \(c.checks.map(\.id).joined(separator: ", "))."
        } else {
            s += " Case ids: \(caseIDs.joined(separator: ", ")); a check id is '<case id>.<check name>', e.g. \(suite.first?.checks.first?.id ?? "CORE-001.driver-ok")."
        }
        return s
    }

    /// Levenshtein distance, case-insensitive.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }
}
