import ArgumentParser
import Foundation
import Logging
import UnderstudyEngine
import UnderstudyServer
import UnderstudyStore
import UnderstudyWire

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the Interactions API on a local port.",
        discussion: """
            The first line on standard output names the base URL, e.g. 'Understudy listening on \
            http://127.0.0.1:8089'; logs go to standard error. SIGTERM or SIGINT stop the server cleanly.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port = 8089

    @Option(help: ArgumentHelp("SQLite database file; ':memory:' keeps nothing.", valueName: "path"))
    var data: String = Serve.defaultDataPath

    @Option(help: "Seed for ids, signatures and generated content.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Clock: 'simulated' (starts at 2025-12-15T10:00:00Z, moves only when told) or 'real'.", valueName: "mode"))
    var clock: String = "simulated"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    static var defaultDataPath: String {
        let base = ProcessInfo.processInfo.environment["XDG_DATA_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("understudy/understudy.sqlite")
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard ["simulated", "real"].contains(clock) else { throw ValidationError("--clock must be 'simulated' or 'real'.") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "understudy")
        var engineConfiguration = EngineConfiguration()
        engineConfiguration.seed = seed
        engineConfiguration.clock = clock == "real" ? .real : .default
        let store = try SQLiteStore(path: data)
        let engine = Engine(configuration: engineConfiguration, store: store, logger: logger)
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.host = host
        serverConfiguration.port = port
        let server = UnderstudyServer(engine: engine, configuration: serverConfiguration, logger: logger)
        let host = self.host
        let data = self.data
        let seed = self.seed
        try await server.run { port in
            let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
            // Unbuffered, so a parent process reading our stdout sees the line at once.
            let line = "Understudy listening on http://\(shownHost):\(port) (data: \(data), seed: \(seed))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
