import Foundation
import Testing
import UnderstudyEngine
import UnderstudyModel
import UnderstudyStore

@testable import UnderstudyConformance

#if canImport(Glibc)
import Glibc
#endif

/// The repository's suite, found from this file.
let repositorySuite = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("conformance/suite").path

func suite() throws -> [ConformanceCase] { try SuiteLoader.load(path: repositorySuite) }

func errorText(_ body: () throws -> Void) -> String? {
    do { try body() } catch { return "\(error)" }
    return nil
}

@Suite struct SelectionTests {
    @Test func aPatternThatMatchesNothingIsAnErrorListingIdsAndLevels() throws {
        let cases = try suite()
        let message = try #require(errorText { _ = try ConformanceRunner.select(cases, only: "NOPE-*") })
        #expect(message.contains("--only 'NOPE-*' matches no case"))
        #expect(message.contains("CORE-001") && message.contains("TOOLS-002"))
        #expect(message.contains("forward-compatibility"))
    }

    @Test func globsAndLevelsSelect() throws {
        let cases = try suite()
        #expect(try ConformanceRunner.select(cases, only: "STREAM-*").map(\.id) == ["STREAM-001", "STREAM-002"])
        #expect(try ConformanceRunner.select(cases, only: "resilience").map(\.id) == ["RES-001", "RES-002", "RES-003"])
        #expect(try ConformanceRunner.select(cases, only: nil).count == cases.count)
    }
}

@Suite struct GuideLabelTests {
    @Test func guideLabelsAreEnglish() throws {
        for c in try suite() {
            let label = String(c.guide.split(separator: "—")[0])
            let ascii = label.unicodeScalars.allSatisfy { $0.isASCII }
            #expect(ascii, "\(c.id): \(label)")
            for german in ["Einfache", "Funktionsaufrufe", "Zustand", "Beschränkungen", "Wichtige", "Daten", "Überlegungen"] {
                #expect(!label.contains(german), "\(c.id): \(label)")
            }
        }
    }
}

@Suite struct ExpectedFailuresTests {
    @Test func unknownIdsAndKeysAreRejectedWithLinesAndSuggestions() throws {
        let text = """
            expected_failures:
              - id: RES-0001.waited
                reason: typo id
              - idd: STREAM-002
              - id: STREAM-002
              - STREAM-002
            """
        let message = try #require(errorText { _ = try ExpectedFailures.parse(text: text, source: "x.yaml", suite: try suite()) })
        #expect(message.contains("x.yaml:2: 'RES-0001.waited' is not a case or check of the suite; did you mean 'RES-001.waited'?"))
        #expect(message.contains("RES-001.attempts"))
        #expect(message.contains("x.yaml:4: unknown key 'idd'"))
        #expect(message.contains("did you mean 'id'?"))
        #expect(message.contains("x.yaml:6: 'STREAM-002' is listed twice (first at x.yaml:5)"))
    }

    @Test func validFilesLoad() throws {
        let cases = try suite()
        let yaml = try ExpectedFailures.parse(text: "expected_failures:\n  - id: TOOLS-001\n    reason: wrong ids\n  - RES-001.waited\n", source: "a", suite: cases)
        #expect(yaml == ["TOOLS-001": "wrong ids", "RES-001.waited": ""])
        let json = try ExpectedFailures.parse(text: #"[{"id": "STREAM-002", "reason": "r"}]"#, source: "b", suite: cases)
        #expect(json == ["STREAM-002": "r"])
        #expect(try ExpectedFailures.parse(text: "expected_failures:\n", source: "c", suite: cases).isEmpty)
        #expect(try ExpectedFailures.parse(text: "", source: "d", suite: cases).isEmpty)
    }

    @Test func anUnknownTopLevelKeyIsRejected() throws {
        let message = try #require(errorText { _ = try ExpectedFailures.parse(text: "expected_failure:\n  - CORE-001\n", source: "t", suite: try suite()) })
        #expect(message.contains("t:1: unknown key 'expected_failure' at the top level"))
        #expect(message.contains("did you mean 'expected_failures'?"))
    }

    @Test func distancesSuggestTheNearestName() throws {
        #expect(ExpectedFailures.distance("RES-0001.waited", "RES-001.waited") == 1)
        #expect(ExpectedFailures.distance("idd", "id") == 1)
    }
}

@Suite struct DriverReportTests {
    @Test func missingEmptyNotJSONAndWrongShapeAreToldApart() {
        #expect(DriverReport.read(path: "/nonexistent/report.json").problem == .missing)
        #expect(DriverReport.parse(Array(" \n".utf8)).problem == .empty)
        let bad = DriverReport.parse(Array("{not json\n".utf8))
        guard case .notJSON(let error, let head) = bad.problem else { Issue.record("not JSON expected"); return }
        #expect(error.contains("line 1"))
        #expect(head == #""{not json\n""#)
        let described = bad.describe(exitCode: 3) ?? ""
        #expect(described.contains("not JSON") && described.contains("exited with code 3"))

        let shape = DriverReport.parse(Array(#"{"status": "okay", "text": 5, "error": {"status_code": "400"}}"#.utf8))
        guard case .wrongShape(let problems) = shape.problem else { Issue.record("wrong shape expected"); return }
        #expect(problems.contains { $0.contains(#"'status' is "okay"; the allowed values are "ok", "error", "unsupported""#) })
        #expect(problems.contains { $0.contains("'text' is a number") })
        #expect(problems.contains { $0.contains("'error.status_code' is a string") })
        #expect(DriverReport.parse(Array("[1]".utf8)).problem == .wrongShape(["the report is an array, not a JSON object such as {\"status\": \"ok\", \"text\": \"…\"}"]))
    }

    @Test func aGoodReportIsUsable() {
        let report = DriverReport.parse(Array(#"{"status": "ok", "text": "hi", "interaction_ids": ["v1_a", null], "events": ["interaction.start"], "error": {"status_code": 400, "message": "m"}, "notes": "n", "extra": 1}"#.utf8))
        #expect(report.problem == nil)
        #expect(report.status == "ok" && report.notes == "n")
        #expect(report.describe(exitCode: 0) == nil)
    }
}

#if os(Linux)
/// Whether a process exists and is not a zombie.
func running(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
    return state != "Z" && state != "X"
}

@Suite(.serialized) struct DriverProcessTests {
    func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conform-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func pids(_ file: String) throws -> [pid_t] {
        try String(contentsOfFile: file, encoding: .utf8).split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
    }

    @Test(arguments: [false, true])
    func theTimeoutEndsTheWholeGroup(ignoringSIGTERM: Bool) async throws {
        let dir = scratch()
        let command = (ignoringSIGTERM ? "trap '' TERM; " : "") + "sleep 1000 & echo \"$$ $!\" > \(dir)/pids; sleep 1000"
        let started = ContinuousClock.now
        let ended = await DriverProcess.run(command: command, environment: ProcessInfo.processInfo.environment, outputPath: dir + "/out", timeout: 1, grace: 0.5)
        #expect(ended == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(10))
        let ids = try pids(dir + "/pids")
        #expect(ids.count == 2)
        for pid in ids { #expect(!running(pid), "process \(pid) survived the timeout") }
        #expect(!DriverProcess.groupExists(ids[0]))
    }

    @Test func exitCodesAndLeftoversAfterANormalExit() async throws {
        let dir = scratch()
        let ended = await DriverProcess.run(command: "sleep 1000 & echo $! > \(dir)/pids; echo out; echo err >&2; exit 3", environment: [:], outputPath: dir + "/out", timeout: 30, grace: 0.5)
        #expect(ended == .exited(3))
        for pid in try pids(dir + "/pids") { #expect(!running(pid), "the driver's leftover \(pid) still runs") }
        let output = try String(contentsOfFile: dir + "/out", encoding: .utf8)
        #expect(output.contains("out") && output.contains("err"))
    }
}
#endif

@Suite struct ReportFormattingTests {
    @Test func secondsPrintWithoutNeedlessDecimals() {
        #expect(Report.seconds(2) == "2")
        #expect(Report.seconds(0.5) == "0.5")
        #expect(Report.seconds(1.25) == "1.25")
    }
}
