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
            server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Understudy"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Serves until a termination signal arrives. With a real clock, retention is enforced every minute
    /// even for interactions nobody asks for again.
    public func run(onReady: @escaping @Sendable (Int) async -> Void) async throws {
        let purger: Task<Void, Never>? = engine.configuration.clock == .real ? Task { [engine] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                await engine.purgeExpired()
            }
        } : nil
        defer { purger?.cancel() }
        try await application(onReady: onReady).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
