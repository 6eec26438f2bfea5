import ArgumentParser
import Foundation
import Logging
import UnderstudyEngine
import UnderstudyModel
import UnderstudyServer
import UnderstudyStore
import UnderstudyWire

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the Interactions API on a local port.",
        discussion: """
            The first line on standard output names the base URL, e.g. 'Understudy listening on \
            http://127.0.0.1:8089'; logs go to standard error. SIGTERM or SIGINT stop the server cleanly.

            Point a client at it with GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8089 and any API key.
            """)

    @OptionGroup(title: "Server") var server: ServerOptions
    @OptionGroup(title: "Scenarios") var scenarioOptions: ScenarioOptions
    @OptionGroup(title: "Time and retention") var time: TimeOptions
    @OptionGroup(title: "Behaviour switches (where the real service differed over time)") var behaviour: BehaviourOptions

    func run() async throws {
        let level = Logger.Level(rawValue: server.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "understudy")

        var engineConfiguration = EngineConfiguration()
        engineConfiguration.seed = server.seed
        time.apply(to: &engineConfiguration)
        behaviour.apply(to: &engineConfiguration)
        engineConfiguration.fixturesDirectory = scenarioOptions.fixtures

        let store = try SQLiteStore(path: server.data)
        let engine = Engine(configuration: engineConfiguration, store: store, logger: logger)
        engine.scenarios.strict = scenarioOptions.strictScenarios
        if !scenarioOptions.scenarios.isEmpty {
            // All paths at once, so that names must be unique across them; problems are printed alone
            // (no usage banner) and the server does not start.
            do {
                let loaded = try engine.scenarios.loader.load(paths: scenarioOptions.scenarios)
                engine.scenarios.add(loaded)
                logger.info("loaded \(loaded.count) scenario(s) from \(scenarioOptions.scenarios.joined(separator: ", "))")
            } catch {
                let text = error.description + "\n\(error.problems.count) problem(s); the server did not start.\n"
                FileHandle.standardError.write(Data(text.utf8))
                throw ExitCode(1)
            }
        }

        var serverConfiguration = ServerConfiguration()
        serverConfiguration.host = server.host
        serverConfiguration.port = server.port
        serverConfiguration.adminToken = server.adminToken
        serverConfiguration.adminAnyHost = server.adminAnyHost
        behaviour.apply(to: &serverConfiguration.wire)

        let app = UnderstudyServer(engine: engine, configuration: serverConfiguration, logger: logger)
        let host = server.host
        let data = server.data
        let seed = server.seed
        try await app.run { port in
            let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
            // Unbuffered, so a parent process reading our stdout sees the line at once.
            let line = "Understudy listening on http://\(shownHost):\(port) (data: \(data), seed: \(seed))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}

struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port = 8089

    @Option(help: ArgumentHelp("SQLite database file; ':memory:' keeps nothing.", valueName: "path"))
    var data: String = ServerOptions.defaultDataPath

    @Option(help: "Seed for ids, signatures and generated content.")
    var seed: UInt64 = 0

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: ArgumentHelp("Require this token on admin API calls (header x-understudy-admin-token).", valueName: "token"))
    var adminToken: String?

    @Flag(help: "Answer admin API calls from any host, not only loopback.")
    var adminAnyHost = false

    static var defaultDataPath: String {
        let base = ProcessInfo.processInfo.environment["XDG_DATA_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("understudy/understudy.sqlite")
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
    }
}

struct ScenarioOptions: ParsableArguments {
    @Option(name: .customLong("scenarios"), parsing: .upToNextOption, help: ArgumentHelp("Scenario files or directories to load at start.", valueName: "path"))
    var scenarios: [String] = []

    @Flag(help: "Refuse create requests that match no scenario (the error lists the nearest ones).")
    var strictScenarios = false

    @Option(help: ArgumentHelp("Directory that scenario 'fixture:' references are read from (relative paths start at the current directory).", valueName: "dir"))
    var fixtures = "fixtures"
}

struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("'simulated' (starts at 2025-12-15T10:00:00Z, +1 s per create, moved by the admin API) or 'real'.", valueName: "mode"))
    var clock: String = "simulated"

    @Option(help: ArgumentHelp("Start of the simulated clock (RFC 3339).", valueName: "time"))
    var clockStart: String?

    @Option(help: ArgumentHelp("Retention tier of keys not listed with --free-key: paid (55 days) or free (1 day).", valueName: "tier"))
    var defaultTier = "paid"

    @Option(name: .customLong("free-key"), help: ArgumentHelp("An API key on the free tier (1-day retention); repeatable.", valueName: "key"))
    var freeKeys: [String] = []

    @Option(help: "Polls after which a background model interaction completes.")
    var backgroundPolls = 1

    @Option(help: "Polls after which a Deep Research interaction completes.")
    var agentPolls = 2

    func validate() throws {
        guard ["simulated", "real"].contains(clock) else { throw ValidationError("--clock must be 'simulated' or 'real'.") }
        guard ["paid", "free"].contains(defaultTier) else { throw ValidationError("--default-tier must be 'paid' or 'free'.") }
        if let clockStart, Timestamp.parse(clockStart) == nil {
            throw ValidationError("--clock-start must be an RFC 3339 time such as 2026-01-01T00:00:00Z.")
        }
        guard backgroundPolls >= 0, agentPolls >= 0 else { throw ValidationError("Poll counts cannot be negative.") }
    }

    func apply(to c: inout EngineConfiguration) {
        if clock == "real" {
            c.clock = .real
        } else {
            let start = clockStart.flatMap(Timestamp.parse).map { $0 * 1000 } ?? ClockMode.defaultStartMillis
            c.clock = .simulated(startMillis: start, tickMillis: 1000)
        }
        c.defaultTier = defaultTier
        for key in freeKeys { c.keyTiers[key] = "free" }
        c.backgroundPolls = backgroundPolls
        c.agentPolls = agentPolls
    }
}

struct BehaviourOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Error body style: google ({code, message, status}) or interactions ({message, code: \"invalid_request\"}).", valueName: "style"))
    var errorStyle: String = "google"

    @Option(help: ArgumentHelp("Usage field for reasoning tokens: reasoning (SDK 1.55), thought (SDK ≥ 1.58) or both.", valueName: "name"))
    var thoughtTokensField: String = "both"

    @Option(help: ArgumentHelp("Thought signature checks in stateless history: by-model (Gemini 3 strict), strict or lenient.", valueName: "policy"))
    var signatures: String = "by-model"

    @Option(help: ArgumentHelp("Cancel: implemented, or unimplemented (404 'Method not found.' as the live service answered in Jan 2026).", valueName: "mode"))
    var cancel: String = "implemented"

    @Option(help: ArgumentHelp("Built-in tool output order: correct (call, result, text) or text-first (the live quirk the guide mentions).", valueName: "order"))
    var builtinToolOrder: String = "correct"

    @Option(help: "Maximum characters of text per streamed delta.")
    var chunkSize = 24

    @Option(help: ArgumentHelp("Pause before each streamed event, in milliseconds.", valueName: "ms"))
    var eventDelay = 0

    @Flag(inversion: .prefixedNo, help: "Write an 'event:' line before each SSE data line.")
    var sseEventLines = true

    @Flag(help: "End streams with 'data: [DONE]'.")
    var sseDone = false

    @Flag(help: "Write SSE 'id:' lines (crashes the SDK 1.55 parser together with keep-alives; off by default).")
    var sseIDLines = false

    func validate() throws {
        guard WireOptions.ErrorStyle(rawValue: errorStyle) != nil else { throw ValidationError("--error-style must be 'google' or 'interactions'.") }
        guard WireOptions.ThoughtTokensField(rawValue: thoughtTokensField) != nil else {
            throw ValidationError("--thought-tokens-field must be 'reasoning', 'thought' or 'both'.")
        }
        guard EngineConfiguration.SignaturePolicy(rawValue: signatures) != nil else {
            throw ValidationError("--signatures must be 'by-model', 'strict' or 'lenient'.")
        }
        guard EngineConfiguration.CancelBehaviour(rawValue: cancel) != nil else {
            throw ValidationError("--cancel must be 'implemented' or 'unimplemented'.")
        }
        guard EngineConfiguration.BuiltinToolOrder(rawValue: builtinToolOrder) != nil else {
            throw ValidationError("--builtin-tool-order must be 'correct' or 'text-first'.")
        }
        guard chunkSize > 0 else { throw ValidationError("--chunk-size must be at least 1.") }
        guard eventDelay >= 0 else { throw ValidationError("--event-delay cannot be negative.") }
    }

    func apply(to c: inout EngineConfiguration) {
        c.signaturePolicy = EngineConfiguration.SignaturePolicy(rawValue: signatures) ?? .byModel
        c.cancelBehaviour = EngineConfiguration.CancelBehaviour(rawValue: cancel) ?? .implemented
        c.builtinToolOrder = EngineConfiguration.BuiltinToolOrder(rawValue: builtinToolOrder) ?? .correct
        c.textChunkSize = chunkSize
        c.eventDelayMillis = eventDelay
    }

    func apply(to w: inout WireOptions) {
        w.errorStyle = WireOptions.ErrorStyle(rawValue: errorStyle) ?? .google
        w.thoughtTokensField = WireOptions.ThoughtTokensField(rawValue: thoughtTokensField) ?? .both
        w.sseEventLines = sseEventLines
        w.sseDoneMarker = sseDone
        w.sseIDLines = sseIDLines
    }
}
