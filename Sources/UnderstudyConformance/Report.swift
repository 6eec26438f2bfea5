import Foundation
import UnderstudyModel

/// Renders a run: the console summary, JSON and JUnit XML.
public enum Report {
    /// A number of seconds (or milliseconds) without a needless ".0": 2, 0.5, 1.25.
    public static func seconds(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        var s = String(format: "%.3f", value)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        s.count >= width ? s : (left ? String(repeating: " ", count: width - s.count) + s : s + String(repeating: " ", count: width - s.count))
    }

    /// A table of every case, then the details of each problem: the expectation, what was wrong, the
    /// requests involved, a hint.
    public static func text(_ summary: RunSummary) -> String {
        var out = "\n" + pad("CASE", 11) + pad("LEVEL", 22) + pad("RESULT", 18) + "CONTRACT\n"
        for r in summary.results {
            out += pad(r.testCase.id, 11) + pad(r.testCase.level, 22) + pad(r.outcome.rawValue, 18) + r.testCase.contract + "\n"
        }
        let problems = summary.results.filter { $0.outcome != .passed && $0.outcome != .skipped }
        for r in problems {
            out += "\n\(r.testCase.id) \(r.outcome.rawValue.uppercased()) — \(r.testCase.contract)\n  guide: \(r.testCase.guide)\n"
            if let note = r.note { out += "  \(note)\n" }
            for c in r.checks where c.outcome == .failed {
                out += "  ✗ \(c.spec.id) [\(c.spec.severity.rawValue)] \(c.spec.expectation)\n    \(c.message)\n"
                for e in c.evidence.prefix(8) { out += "      \(e)\n" }
                if c.evidence.count > 8 { out += "      … \(c.evidence.count - 8) more (see the JSON report)\n" }
                if let hint = c.hint { out += "    hint: \(hint)\n" }
            }
            if let notes = r.driverNotes?.trimmingCharacters(in: .whitespacesAndNewlines), !notes.isEmpty {
                let lines = notes.split(separator: "\n", omittingEmptySubsequences: false)
                out += "  driver notes (the report's 'notes', written by the driver):\n"
                out += lines.prefix(12).map { "    | \($0)" }.joined(separator: "\n") + "\n"
                if lines.count > 12 { out += "    | … \(lines.count - 12) more line(s)\n" }
            }
            let exit = r.driverExitCode.flatMap { $0 == 0 ? nil : "exit code \($0)" }
            if r.outcome == .failed, !r.driverOutputTail.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                out += "  driver output (last lines\(exit.map { "; \($0)" } ?? "")):\n" + r.driverOutputTail.split(separator: "\n").map { "    | \($0)" }.joined(separator: "\n") + "\n"
            } else if r.outcome == .failed, let exit {
                out += "  driver: \(exit), no output\n"
            }
        }
        let counts = summary.count
        let order: [CaseOutcome] = [.passed, .failed, .warned, .skipped, .expectedFailure, .stale]
        out += "\n" + order.compactMap { o in counts[o].map { "\($0) \(o.rawValue)" } }.joined(separator: ", ")
        if summary.failed {
            var why: [String] = []
            let failed = summary.results.filter { $0.outcome == .failed }.map(\.testCase.id)
            let stale = summary.results.filter { $0.outcome == .stale }.map(\.testCase.id)
            if !failed.isEmpty { why.append("failed: \(failed.joined(separator: ", "))\(summary.strict ? " (--strict: SHOULD findings fail too)" : "")") }
            if !stale.isEmpty { why.append("stale expected failures: \(stale.joined(separator: ", "))") }
            out += " — FAILED (\(why.joined(separator: "; ")))\n"
        } else {
            out += " — OK\n"
        }
        return out
    }

    public static func json(_ summary: RunSummary) -> JSONValue {
        .object([
            "summary": .object(summary.count.reduce(into: [String: JSONValue]()) { $0[$1.key.rawValue] = .int(Int64($1.value)) }),
            "failed": .bool(summary.failed),
            "cases": .array(summary.results.map { r in
                var o: [String: JSONValue] = [
                    "id": .string(r.testCase.id), "level": .string(r.testCase.level), "contract": .string(r.testCase.contract),
                    "guide": .string(r.testCase.guide), "outcome": .string(r.outcome.rawValue),
                    "seconds": .double((r.seconds * 1000).rounded() / 1000),
                    "checks": .array(r.checks.map { c in
                        var check: [String: JSONValue] = [
                            "id": .string(c.spec.id), "severity": .string(c.spec.severity.rawValue),
                            "expectation": .string(c.spec.expectation), "outcome": .string(c.outcome.rawValue),
                        ]
                        if !c.message.isEmpty { check["message"] = .string(c.message) }
                        if !c.evidence.isEmpty { check["requests"] = .array(c.evidence.map { .string($0) }) }
                        if let h = c.hint { check["hint"] = .string(h) }
                        return .object(check)
                    }),
                ]
                if let n = r.note { o["note"] = .string(n) }
                if let n = r.driverNotes { o["driver_notes"] = .string(n) }
                if let e = r.driverExitCode { o["driver_exit_code"] = .int(Int64(e)) }
                return .object(o)
            }),
        ])
    }

    public static func junit(_ summary: RunSummary) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"understudy-conformance\">\n"
        let levels = SuiteLoader.levels.filter { l in summary.results.contains { $0.testCase.level == l } }
        for level in levels {
            let cases = summary.results.filter { $0.testCase.level == level }
            let failures = cases.filter { [.failed, .stale].contains($0.outcome) || (summary.strict && $0.outcome == .warned) }.count
            let skipped = cases.filter { $0.outcome == .skipped || $0.outcome == .expectedFailure }.count
            out += "  <testsuite name=\"\(level)\" tests=\"\(cases.count)\" failures=\"\(failures)\" skipped=\"\(skipped)\">\n"
            for r in cases {
                out += "    <testcase classname=\"\(level)\" name=\"\(esc(r.testCase.id + " " + r.testCase.contract))\" time=\"\(String(format: "%.3f", r.seconds))\">\n"
                let details = r.checks.filter { $0.outcome == .failed }.map { c in
                    "\(c.spec.id) [\(c.spec.severity.rawValue)] \(c.spec.expectation)\n\(c.message)\n" + c.evidence.joined(separator: "\n") + (c.hint.map { "\nhint: \($0)" } ?? "")
                }.joined(separator: "\n\n")
                switch r.outcome {
                case .failed, .stale:
                    out += "      <failure message=\"\(esc(r.note ?? r.checks.first { $0.outcome == .failed }?.message ?? "failed"))\">\(esc(details))</failure>\n"
                case .warned where summary.strict:
                    out += "      <failure message=\"SHOULD check failed (strict)\">\(esc(details))</failure>\n"
                case .skipped:
                    out += "      <skipped message=\"\(esc(r.note ?? "unsupported by the driver"))\"/>\n"
                case .expectedFailure:
                    out += "      <skipped message=\"expected failure\">\(esc(details))</skipped>\n"
                case .warned:
                    out += "      <system-out>\(esc(details))</system-out>\n"
                default: break
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// Reads an expected-failures file (YAML or JSON, a list of ids or of {id, reason}), checked
    /// against the suite: unknown ids or keys are errors (see `ExpectedFailures`).
    public static func loadExpectedFailures(path: String, suite: [ConformanceCase]) throws -> [String: String] {
        try ExpectedFailures.load(path: path, suite: suite)
    }
}
