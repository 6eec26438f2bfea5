import ArgumentParser

/// The `understudy` command.
@main
struct Understudy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "understudy",
        abstract: "An offline, deterministic stand-in for the Gemini Interactions API, and a conformance kit for its clients.",
        discussion: """
            Point any client at a running server with GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:PORT and any \
            API key. Same seed and same requests give byte-identical answers.
            """,
        version: "0.1.0",
        subcommands: [Serve.self, Scenarios.self, Conform.self, ConformServer.self],
        defaultSubcommand: Serve.self)
}
