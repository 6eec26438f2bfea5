import ArgumentParser
import Dispatch
import Foundation
import UnderstudyConformance

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Conform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a client of the Interactions API, case by case.",
        discussion: """
            Starts a private Understudy, and for every case of the suite runs the client command with the case \
            in its environment (GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY, UNDERSTUDY_CASE, UNDERSTUDY_CASE_PARAMS, \
            UNDERSTUDY_REPORT); then checks what the client sent (the request journal) and what it reported. \
            See conformance/README.md for the driver protocol. Exit status: 0 the run passed, 1 it failed, \
            2 it could not run (bad options, suite or expected-failures file).
            """)

    @Option(name: .customLong("client"), help: ArgumentHelp("The driver command, run with /bin/sh -c.", valueName: "command"))
    var client: String

    @Option(help: ArgumentHelp(
        "Suite file or directory. Default: conformance/suite of the repository the executable was built in, else ./conformance/suite.",
        valueName: "path"))
    var suite: String?

    @Option(help: ArgumentHelp("Only cases whose id matches (globs like 'STREAM-*'), or a level name.", valueName: "pattern"))
    var only: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a JSON report here.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Known failures (case or check ids, with reasons): listed failures do not fail the run; listed passes are reported stale and do.", valueName: "file"))
    var expectedFailures: String?

    @Flag(help: "Make SHOULD findings fail the run.")
    var strict = false

    @Option(help: "Seconds a driver may take per case; then its process group gets SIGTERM, and SIGKILL 2 s later.")
    var timeout: Double = 60

    @Option(help: "Seed of the private server.")
    var seed: UInt64 = 0

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds.") }
    }

    /// Configuration problems: said on stderr, exit status 2 (a failed run is 1).
    func unusable(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(2)
    }

    func run() async throws {
        let suitePath: String
        if let suite {
            suitePath = suite
        } else {
            let found = SuiteLoader.locateDefault(executablePath: SuiteLoader.executablePath, currentDirectory: FileManager.default.currentDirectoryPath)
            guard let path = found.path else {
                throw unusable("""
                    No conformance suite found. Looked for \(SuiteLoader.defaultRelativePath) in the repository of the \
                    executable and in the current directory (\(found.tried.joined(separator: ", "))). Pass --suite PATH \
                    (the suite is conformance/suite in the Understudy repository).
                    """)
            }
            suitePath = path
        }
        let cases: [ConformanceCase]
        var options: RunOptions
        do {
            cases = try SuiteLoader.load(path: suitePath)
            options = RunOptions(clientCommand: client, cases: cases)
            options.only = only
            _ = try ConformanceRunner.select(cases, only: only)
            if let expectedFailures { options.expectedFailures = try Report.loadExpectedFailures(path: expectedFailures, suite: cases) }
        } catch let error as SuiteError {
            throw unusable(error.description)
        }
        options.timeoutSeconds = timeout
        options.seed = seed
        options.strict = strict
        options.progress = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        FileHandle.standardError.write(Data("suite: \(suitePath) (\(cases.count) cases)\n".utf8))

        // Interrupting the runner ends the driver that is running, whole process group included.
        let grace = options.killGraceSeconds
        let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
        let sources = signals.map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\nconform: interrupted (signal \(sig)); ending the running driver's process group.\n".utf8))
                DriverProcess.terminateAll(grace: grace)
                exitProcess(128 + sig)
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }

        let summary = try await ConformanceRunner(options: options).run()
        print(Report.text(summary), terminator: "")
        if let json { try Data(Report.json(summary).serialized()).write(to: URL(fileURLWithPath: json)) }
        if let junit { try Data(Report.junit(summary).utf8).write(to: URL(fileURLWithPath: junit)) }
        if summary.failed { throw ExitCode(1) }
    }
}

/// Ends the process at once (from a signal handler, after the drivers are gone).
private func exitProcess(_ code: Int32) -> Never {
    #if canImport(Glibc)
    Glibc.exit(code)
    #else
    Darwin.exit(code)
    #endif
}
