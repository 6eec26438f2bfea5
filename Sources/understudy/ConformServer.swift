import ArgumentParser
import Foundation
import UnderstudyConformance
import UnderstudyModel

struct ConformServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform-server",
        abstract: "Check a server that claims to speak the Interactions API.",
        discussion: "Sends a battery of requests (lifecycle, storage rules, errors, SSE framing, resumption, delete, background) and checks every answer against the resource schema and the behaviour rules.")

    @Option(help: ArgumentHelp("Base URL of the server, e.g. http://127.0.0.1:8089.", valueName: "url"))
    var baseURL: String

    @Option(help: "API key to send.")
    var apiKey: String

    @Option(help: "Model to use.")
    var model = "gemini-2.5-flash"

    @Option(help: ArgumentHelp("Write a JSON report here.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report here.", valueName: "file"))
    var junit: String?

    func run() async throws {
        var battery = ServerConformance(baseURL: baseURL, apiKey: apiKey)
        battery.model = model
        battery.progress = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let findings = try await battery.run()
        let failed = findings.filter { !$0.passed }
        for f in failed { print("✗ \(f.id) \(f.expectation)\n    \(f.message)") }
        print("\(findings.count - failed.count) passed, \(failed.count) failed — \(failed.isEmpty ? "OK" : "FAILED")")
        if let json {
            let report: JSONValue = .object([
                "base_url": .string(baseURL), "failed": .bool(!failed.isEmpty),
                "checks": .array(findings.map { .object(["id": .string($0.id), "expectation": .string($0.expectation), "passed": .bool($0.passed), "message": .string($0.message)]) }),
            ])
            try Data(report.serialized()).write(to: URL(fileURLWithPath: json))
        }
        if let junit {
            func esc(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;") }
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"understudy-conform-server\" tests=\"\(findings.count)\" failures=\"\(failed.count)\">\n"
            for f in findings {
                xml += "  <testcase name=\"\(esc(f.id + " " + f.expectation))\">" + (f.passed ? "" : "<failure message=\"\(esc(f.message))\"/>") + "</testcase>\n"
            }
            try Data((xml + "</testsuite>\n").utf8).write(to: URL(fileURLWithPath: junit))
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}
