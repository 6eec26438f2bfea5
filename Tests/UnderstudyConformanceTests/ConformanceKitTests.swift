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

@Suite struct DefaultSuiteTests {
    @Test func theDefaultSuiteIsFoundFromTheExecutableOrTheCurrentDirectory() throws {
        let root = URL(fileURLWithPath: repositorySuite).deletingLastPathComponent().deletingLastPathComponent().path
        let fromExecutable = SuiteLoader.locateDefault(executablePath: root + "/.build/debug/understudy", currentDirectory: "/")
        #expect(fromExecutable.path == repositorySuite)
        let fromDirectory = SuiteLoader.locateDefault(executablePath: "/nonexistent/bin/understudy", currentDirectory: root)
        #expect(fromDirectory.path == repositorySuite)
        let nowhere = SuiteLoader.locateDefault(executablePath: "/nonexistent/bin/understudy", currentDirectory: "/nonexistent")
        #expect(nowhere.path == nil)
        #expect(nowhere.tried.contains("/nonexistent/conformance/suite"))
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

@Suite struct MessageTests {
    func context(_ c: ConformanceCase, journal: [JournalEntry], arrivals: [(method: String, path: String, seconds: Double)] = [], report: JSONValue? = nil) throws -> CheckContext {
        let engine = Engine(configuration: EngineConfiguration(), store: try SQLiteStore(path: ":memory:"))
        let faults = try engine.scenarios.loader.load(text: c.scenario, source: c.id).flatMap(\.faults)
        return CheckContext(testCase: c, journal: journal, arrivals: arrivals, report: report, engine: engine, apiKey: "k", faults: faults)
    }

    func entry(_ sequence: Int64, _ method: String, _ path: String, query: [String: String] = [:], status: Int, route: String) -> JournalEntry {
        var e = JournalEntry(method: method, path: path, query: query, headers: [], body: nil, rawBody: nil, status: status, route: route)
        e.sequence = sequence
        return e
    }

    @Test func aTooEarlyRetryStatesTheHeaderSentAndTheToleranceApart() async throws {
        let c = try #require(try suite().first { $0.id == "RES-001" })
        let spec = try #require(c.checks.first { $0.id == "RES-001.waited" })
        let journal = [
            entry(1, "POST", "/v1beta/interactions", status: 429, route: "interactions.create"),
            entry(2, "POST", "/v1beta/interactions", status: 429, route: "interactions.create"),
        ]
        let arrivals = [(method: "POST", path: "/v1beta/interactions", seconds: 1.0), (method: "POST", path: "/v1beta/interactions", seconds: 1.209)]
        let result = await Checks.evaluate(spec, try context(c, journal: journal, arrivals: arrivals))
        #expect(result.outcome == .failed)
        #expect(result.message.contains("retried 209 ms later"))
        #expect(result.message.contains("retry-after: 1 (seconds: wait 1000 ms)"))
        #expect(result.message.contains("accepts a retry from 900 ms on (100 ms tolerance)"))
        #expect(result.evidence.first?.hasPrefix("#1 POST") == true)
    }

    @Test func aResumeWithoutLastEventIdShowsWhatWasSentInOrder() async throws {
        let c = try #require(try suite().first { $0.id == "STREAM-002" })
        let spec = try #require(c.checks.first { $0.id == "STREAM-002.resumed" })
        let journal = [
            entry(2, "GET", "/v1beta/interactions/v1_x", query: ["stream": "true"], status: 200, route: "interactions.get"),
            entry(1, "POST", "/v1beta/interactions", status: 200, route: "interactions.create"),
        ]
        let result = await Checks.evaluate(spec, try context(c, journal: journal))
        #expect(result.message.contains("expected last_event_id=evt_0005"))
        #expect(result.message.contains("request #2 sent last_event_id=none"))
        #expect(result.evidence.map { String($0.prefix(2)) } == ["#1", "#2"])
    }

    @Test func knockOnFailuresPointAtTheirCause() async throws {
        let c = try #require(try suite().first { $0.id == "TOOLS-001" })
        var failedCreate = entry(2, "POST", "/v1beta/interactions", status: 400, route: "interactions.create")
        failedCreate.errorMessage = "function_result.call_id 'x' matches no function_call"
        let journal = [entry(1, "POST", "/v1beta/interactions", status: 200, route: "interactions.create"), failedCreate]
        let report: JSONValue = ["status": "error", "error": ["status_code": 400, "message": "m"], "notes": "Traceback …"]
        let ctx = try context(c, journal: journal, report: report)
        var checks: [CheckResult] = []
        for spec in c.checks { checks.append(await Checks.evaluate(spec, ctx)) }
        checks = Checks.linkConsequences(checks, ctx)
        let text = try #require(checks.first { $0.spec.id == "TOOLS-001.text" })
        #expect(text.message.contains("follows from TOOLS-001.call-id (above)"))
        #expect(!(text.hint ?? "").contains("content.delta"))
        let driverOK = try #require(checks.first { $0.spec.id == "TOOLS-001.driver-ok" })
        #expect(!(driverOK.hint ?? "").contains("Traceback"))
        #expect(driverOK.hint?.contains("TOOLS-001.call-id") == true)
    }
}

@Suite struct ReportFormattingTests {
    @Test func secondsPrintWithoutNeedlessDecimals() {
        #expect(Report.seconds(2) == "2")
        #expect(Report.seconds(0.5) == "0.5")
        #expect(Report.seconds(1.25) == "1.25")
    }
}
