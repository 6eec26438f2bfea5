import Foundation
import Logging
import Synchronization
import UnderstudyEngine
import UnderstudyModel
import UnderstudyServer
import UnderstudyStore

/// How a case ended.
public enum CaseOutcome: String, Sendable {
    case passed, failed, skipped
    /// Only SHOULD checks failed.
    case warned
    /// Failed, and listed in the expected-failures file.
    case expectedFailure = "expected-failure"
    /// Listed in the expected-failures file, but passed: the entry is stale.
    case stale
}

public struct CaseResult: Sendable {
    public var testCase: ConformanceCase
    public var outcome: CaseOutcome
    public var checks: [CheckResult]
    public var note: String?
    public var driverExitCode: Int32?
    public var driverOutputTail: String
    /// What the driver wrote under `notes` in its report (its own words, not the runner's hint).
    public var driverNotes: String?
    public var seconds: Double
}

public struct RunOptions: Sendable {
    public var clientCommand: String
    public var cases: [ConformanceCase]
    public var only: String?
    public var timeoutSeconds: Double = 60
    /// After the timeout, SIGTERM goes to the driver's process group; SIGKILL follows after this many seconds.
    public var killGraceSeconds: Double = 2
    public var seed: UInt64 = 0
    public var strict = false
    /// Case or check ids expected to fail, with the reasons given.
    public var expectedFailures: [String: String] = [:]
    public var progress: @Sendable (String) -> Void = { _ in }
    public init(clientCommand: String, cases: [ConformanceCase]) {
        self.clientCommand = clientCommand
        self.cases = cases
    }
}

public struct RunSummary: Sendable {
    public var results: [CaseResult]
    public var strict: Bool
    public var count: [CaseOutcome: Int] {
        results.reduce(into: [:]) { $0[$1.outcome, default: 0] += 1 }
    }
    /// Whether the run fails: a failure, a stale expected failure, or (strict) a warning.
    public var failed: Bool {
        results.contains { [.failed, .stale].contains($0.outcome) || (strict && $0.outcome == .warned) }
    }
}

/// Runs a client against the suite: one in-process server, one fresh API key (tenant) per case, the
/// case's scenario loaded for that key only, the driver run with the case in its environment, and the
/// checks evaluated on the journal and the driver's report.
public struct ConformanceRunner: Sendable {
    public let options: RunOptions
    public init(options: RunOptions) { self.options = options }

    /// The cases `--only` selects (all without a pattern). A pattern that selects nothing is an error
    /// naming it and listing what exists, never an empty run that looks like a pass.
    public static func select(_ cases: [ConformanceCase], only: String?) throws -> [ConformanceCase] {
        guard let only else { return cases }
        let pattern = only.trimmingCharacters(in: .whitespaces)
        let selected = cases.filter { matches($0.id, pattern: pattern) || $0.level == pattern }
        if selected.isEmpty {
            let levels = SuiteLoader.levels.filter { l in cases.contains { $0.level == l } }
            throw SuiteError(description: """
                --only '\(only)' matches no case of the suite. Give a case id (globs with * allowed, e.g. 'STREAM-*') \
                or a level name; matching is case-sensitive.
                  case ids: \(cases.map(\.id).joined(separator: ", "))
                  levels:   \(levels.joined(separator: ", "))
                """)
        }
        return selected
    }

    public func run() async throws -> RunSummary {
        let selected = try Self.select(options.cases, only: options.only)
        var engineConfiguration = EngineConfiguration()
        engineConfiguration.seed = options.seed
        var logger = Logger(label: "understudy.conform")
        logger.logLevel = .critical
        let engine = Engine(configuration: engineConfiguration, store: try SQLiteStore(path: ":memory:"), logger: logger)
        let arrivals = ArrivalLog()
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.port = 0
        serverConfiguration.requestObserver = { key, method, path in arrivals.record(key: key, method: method, path: path) }
        let server = UnderstudyServer(engine: engine, configuration: serverConfiguration, logger: logger)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = server.application { port in
            portSink.yield(port)
            portSink.finish()
        }
        return try await withThrowingTaskGroup(of: RunSummary?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw SuiteError(description: "The in-process server did not start.") }
            defer { group.cancelAll() }
            let base = "http://127.0.0.1:\(port)"
            var results: [CaseResult] = []
            for (n, testCase) in selected.enumerated() {
                let result = await runCase(testCase, number: n + 1, of: selected.count, base: base, engine: engine, arrivals: arrivals)
                results.append(result)
            }
            return RunSummary(results: results, strict: options.strict)
        }!
    }

    /// `*` globs against case ids (`STREAM-*`).
    static func matches(_ id: String, pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return id == pattern }
        var rest = Substring(id)
        for (i, part) in parts.enumerated() where !part.isEmpty {
            if i == 0 { guard rest.hasPrefix(part) else { return false }; rest = rest.dropFirst(part.count) }
            else if let r = rest.range(of: part) { rest = rest[r.upperBound...] } else { return false }
        }
        return parts.last!.isEmpty || id.hasSuffix(parts.last!)
    }

    func runCase(_ c: ConformanceCase, number: Int, of total: Int, base: String, engine: Engine, arrivals: ArrivalLog) async -> CaseResult {
        let started = ContinuousClock.now
        let key = "conform-\(number)-\(c.id.lowercased())"
        let label = "[\(Report.pad(String(number), 2, left: true))/\(total)] \(Report.pad(c.id, 10))"
        options.progress("\(label) \(c.contract) …")
        func finish(_ outcome: CaseOutcome, checks: [CheckResult] = [], note: String? = nil, exit: Int32? = nil, tail: String = "", notes: String? = nil) -> CaseResult {
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
            var result = CaseResult(testCase: c, outcome: outcome, checks: checks, note: note, driverExitCode: exit, driverOutputTail: tail, driverNotes: notes, seconds: seconds)
            result = applyExpectations(result)
            options.progress("\(label) \(result.outcome.rawValue.uppercased())")
            return result
        }
        var faults: [Scenario.Fault] = []
        if !c.scenario.isEmpty {
            do {
                let scenarios = try engine.scenarios.loader.load(text: c.scenario, source: c.source + "#" + c.id)
                engine.scenarios.add(scenarios, tenant: key)
                faults = scenarios.flatMap(\.faults)
            } catch {
                return finish(.failed, note: "The case's scenario does not load (a problem of the suite, not of the client): \(error.description)")
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("understudy-conform-\(ProcessInfo.processInfo.processIdentifier)-\(number)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let reportPath = directory.appendingPathComponent("report.json").path
        let outputPath = directory.appendingPathComponent("output.txt").path
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["GOOGLE_API_KEY"] = nil
        environment["GOOGLE_GEMINI_BASE_URL"] = base
        environment["GEMINI_API_KEY"] = key
        environment["UNDERSTUDY_CASE"] = c.id
        environment["UNDERSTUDY_CASE_PARAMS"] = c.params.jsonString
        environment["UNDERSTUDY_REPORT"] = reportPath
        environment["UNDERSTUDY_ADMIN_URL"] = base + "/_understudy"
        let ended = await DriverProcess.run(
            command: options.clientCommand, environment: environment, outputPath: outputPath,
            timeout: options.timeoutSeconds, grace: options.killGraceSeconds)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let tail = output.split(separator: "\n", omittingEmptySubsequences: false).suffix(12).joined(separator: "\n")
        let report = DriverReport.read(path: reportPath)
        try? FileManager.default.removeItem(at: directory)
        let exit: Int32
        switch ended {
        case .timedOut:
            let t = Report.seconds(options.timeoutSeconds), g = Report.seconds(options.killGraceSeconds)
            return finish(.failed, note: """
                The driver did not finish within \(t) s and was killed (SIGTERM to its process group, SIGKILL \(g) s later). \
                Make the driver end by itself (a hung request? a loop without a bound?), or raise --timeout.
                """, tail: tail, notes: report.notes)
        case .notStarted(let why):
            return finish(.failed, note: "The driver command could not be started (\(why)). The --client command is run with /bin/sh -c.", tail: tail)
        case .exited(let code):
            exit = code
        }
        if report.status == "unsupported" {
            return finish(.skipped, note: report.notes ?? "The driver does not support this case.", exit: exit, tail: tail, notes: report.notes)
        }
        let context = CheckContext(
            testCase: c, journal: engine.journal(tenantKey: key), arrivals: arrivals.entries(for: key), report: report.value,
            engine: engine, apiKey: key, faults: faults, reportProblem: report.describe(exitCode: exit), exitCode: exit)
        var checks: [CheckResult] = []
        for spec in c.checks { checks.append(await Checks.evaluate(spec, context)) }
        checks = Checks.linkConsequences(checks, context)
        var note: String?
        if let problem = context.reportProblem, !c.checks.contains(where: { $0.kind == CheckKind.driverOK.rawValue }) {
            note = problem
        }
        let mustFailed = checks.filter { $0.outcome == .failed && $0.spec.severity == .must }
        let shouldFailed = checks.filter { $0.outcome == .failed && $0.spec.severity == .should }
        var outcome: CaseOutcome = !mustFailed.isEmpty ? .failed : (shouldFailed.isEmpty ? .passed : .warned)
        if outcome == .passed, context.reportProblem != nil { outcome = .failed }
        if outcome == .warned && options.strict {
            outcome = .failed
            let ids = shouldFailed.map(\.spec.id).joined(separator: ", ")
            note = [note, "Failed because of --strict: the SHOULD check\(shouldFailed.count == 1 ? "" : "s") \(ids) failed (without --strict this case would only warn)."].compactMap { $0 }.joined(separator: "\n  ")
        }
        return finish(outcome, checks: checks, note: note, exit: exit, tail: tail, notes: report.notes)
    }

    /// Applies the expected-failures list: listed failures are expected; listed passes are stale.
    func applyExpectations(_ r: CaseResult) -> CaseResult {
        var result = r
        let failingIDs = Set(r.checks.filter { $0.outcome == .failed }.map(\.spec.id))
        let listedCase = options.expectedFailures[r.testCase.id] != nil
        let listedChecks = Set(options.expectedFailures.keys.filter { $0.hasPrefix(r.testCase.id + ".") })
        switch r.outcome {
        case .failed:
            // What makes the case fail: its MUST failures, and under --strict its SHOULD failures too.
            let fatal = Set(r.checks.filter { $0.outcome == .failed && ($0.spec.severity == .must || options.strict) }.map(\.spec.id))
            if listedCase || (!fatal.isEmpty && fatal.isSubset(of: listedChecks)) {
                result.outcome = .expectedFailure
            }
        case .passed, .warned:
            let staleChecks = listedChecks.subtracting(failingIDs)
            if listedCase || !staleChecks.isEmpty {
                result.outcome = .stale
                let entries = listedCase ? [r.testCase.id] : staleChecks.sorted()
                result.note = "Listed as an expected failure (\(entries.joined(separator: ", "))) but passed: remove the stale entry."
            }
        default: break
        }
        return result
    }
}

/// Real arrival times of API requests per key, measured by the runner (never put in the journal, which
/// must stay deterministic).
final class ArrivalLog: Sendable {
    private let start = ContinuousClock.now
    private let log = Mutex<[String: [(method: String, path: String, seconds: Double)]]>([:])

    func record(key: String?, method: String, path: String) {
        guard let key else { return }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        log.withLock { $0[key, default: []].append((method, path, seconds)) }
    }

    func entries(for key: String) -> [(method: String, path: String, seconds: Double)] {
        log.withLock { $0[key] ?? [] }
    }
}
