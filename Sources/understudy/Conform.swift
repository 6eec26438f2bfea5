import ArgumentParser
import Foundation
import UnderstudyConformance

struct Conform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a client of the Interactions API, case by case.",
        discussion: """
            Starts a private Understudy, and for every case of the suite runs the client command with the case \
            in its environment (GOOGLE_GEMINI_BASE_URL, GEMINI_API_KEY, UNDERSTUDY_CASE, UNDERSTUDY_CASE_PARAMS, \
            UNDERSTUDY_REPORT); then checks what the client sent (the request journal) and what it reported. \
            See conformance/README.md for the driver protocol.
            """)

    @Option(name: .customLong("client"), help: ArgumentHelp("The driver command, run with /bin/sh -c.", valueName: "command"))
    var client: String

    @Option(help: ArgumentHelp("Suite file or directory.", valueName: "path"))
    var suite = "conformance/suite"

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

    @Option(help: "Seconds a driver may take per case.")
    var timeout: Double = 60

    @Option(help: "Seed of the private server.")
    var seed: UInt64 = 0

    func run() async throws {
        let cases = try SuiteLoader.load(path: suite)
        var options = RunOptions(clientCommand: client, cases: cases)
        options.only = only
        options.timeoutSeconds = timeout
        options.seed = seed
        options.strict = strict
        if let expectedFailures { options.expectedFailures = try Report.loadExpectedFailures(path: expectedFailures) }
        options.progress = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let summary = try await ConformanceRunner(options: options).run()
        print(Report.text(summary), terminator: "")
        if let json { try Data(Report.json(summary).serialized()).write(to: URL(fileURLWithPath: json)) }
        if let junit { try Data(Report.junit(summary).utf8).write(to: URL(fileURLWithPath: junit)) }
        if summary.failed { throw ExitCode(1) }
    }
}
