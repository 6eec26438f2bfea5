import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnderstudyEngine

/// Runs the HTTP server around an engine until SIGTERM/SIGINT (or until the task is cancelled).
public struct UnderstudyServer: Sendable {
    public let engine: Engine
    public let configuration: ServerConfiguration
    public let logger: Logger

    public init(engine: Engine, configuration: ServerConfiguration, logger: Logger) {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
    }

    /// The Hummingbird application; `onReady` receives the bound port once listening.
    public func application(onReady: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(
            responder: UnderstudyResponder(engine: engine, configuration: configuration),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Understudy"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Serves until a termination signal arrives.
    public func run(onReady: @escaping @Sendable (Int) async -> Void) async throws {
        try await application(onReady: onReady).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
