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

        @Option(help: ArgumentHelp("Directory that 'fixture:' references are read from.", valueName: "dir"))
        var fixtures = "fixtures"

        func run() throws {
            let loader = ScenarioLoader(fixturesDirectory: fixtures)
            var problems: [ScenarioProblem] = []
            var count = 0
            for path in paths {
                do {
                    count += try loader.load(path: path).count
                } catch {
                    problems += error.problems
                }
            }
            if problems.isEmpty {
                print("ok: \(count) scenario(s) in \(paths.joined(separator: ", "))")
                return
            }
            for p in problems { print(p.description) }
            print("\(problems.count) problem(s)")
            throw ExitCode(1)
        }
    }
}
