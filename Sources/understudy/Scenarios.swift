import ArgumentParser
import UnderstudyEngine

struct Scenarios: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with scenario files.",
        subcommands: [Lint.self])

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check scenario files without serving.",
            discussion: "Prints every problem as file:line:column with a suggested fix; exits 1 if there is any.")

        @Argument(help: ArgumentHelp("Scenario files or directories.", valueName: "path"))
        var paths: [String]

        @Option(help: ArgumentHelp("Directory that 'fixture:' references are read from (relative paths start at the current directory).", valueName: "dir"))
        var fixtures = "fixtures"

        func run() throws {
            let loader = ScenarioLoader(fixturesDirectory: fixtures)
            // All paths at once: names must be unique across them, as when serving them together.
            do {
                let count = try loader.load(paths: paths).count
                print("ok: \(count) scenario(s) in \(paths.joined(separator: ", "))")
            } catch {
                for p in error.problems { print(p.description) }
                let files = Set(error.problems.map(\.file)).count
                print("\(error.problems.count) problem(s) in \(files) file(s)")
                throw ExitCode(1)
            }
        }
    }
}
