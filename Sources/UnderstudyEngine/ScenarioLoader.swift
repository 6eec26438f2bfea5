import Foundation
import UnderstudyModel
import Yams

/// One problem in a scenario file, with where it is and how to fix it.
public struct ScenarioProblem: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var fix: String?

    public var description: String {
        "\(file):\(line):\(column): error: \(message)" + (fix.map { "\n    fix: \($0)" } ?? "")
    }
}

extension Array where Element == ScenarioProblem {
    /// Sorted by file, then line, then column (stable for problems at the same place).
    public func sortedByPlace() -> [ScenarioProblem] {
        enumerated().sorted { a, b in
            let l = a.element, r = b.element
            if l.file != r.file { return l.file < r.file }
            if l.line != r.line { return l.line < r.line }
            if l.column != r.column { return l.column < r.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Several problems at once: loading reports all it can find, not only the first.
public struct ScenarioLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [ScenarioProblem]
    public init(problems: [ScenarioProblem]) { self.problems = problems.sortedByPlace() }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Reads scenario files (YAML, or JSON, which is YAML too) into `Scenario`s.
///
/// The text is composed with Yams so every value keeps its line and column; the document is then checked
/// against `ScenarioSchema` and each content block against the API's content schema, numbers are
/// range-checked, template references resolved against the steps, and every problem is reported as
/// `file:line:column` with a suggested fix, sorted by place.
public struct ScenarioLoader: Sendable {
    /// Where `fixture:` references are looked up (`fixtures`, relative to the current directory, by default).
    public var fixturesDirectory: String

    public init(fixturesDirectory: String = "fixtures") {
        self.fixturesDirectory = fixturesDirectory
    }

    /// The fixtures directory as an absolute path, for messages.
    var absoluteFixturesDirectory: String {
        let url = URL(fileURLWithPath: fixturesDirectory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }

    /// Loads every `.yaml`, `.yml` and `.json` file under `path` (a file or a directory), sorted by name.
    public func load(path: String) throws(ScenarioLoadError) -> [Scenario] {
        try load(paths: [path])
    }

    /// Loads several files or directories at once; scenario names must be unique across all of them.
    public func load(paths: [String]) throws(ScenarioLoadError) -> [Scenario] {
        var parsed: [ParsedScenario] = []
        var problems: [ScenarioProblem] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(ScenarioProblem(file: path, line: 0, column: 0, message: "No such file or directory.", fix: "Check the path; relative paths start at the current directory (\(FileManager.default.currentDirectoryPath))."))
                continue
            }
            var files: [String] = []
            if isDirectory.boolValue {
                let enumerator = FileManager.default.enumerator(atPath: path)
                while let item = enumerator?.nextObject() as? String {
                    if [".yaml", ".yml", ".json"].contains(where: { item.hasSuffix($0) }) && !item.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                        files.append((path as NSString).appendingPathComponent(item))
                    }
                }
                files.sort()
            } else {
                files = [path]
            }
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    problems.append(ScenarioProblem(file: file, line: 0, column: 0, message: "The file cannot be read as UTF-8 text.", fix: "Save it as UTF-8 (YAML or JSON)."))
                    continue
                }
                let result = parse(text: text, source: file)
                parsed += result.scenarios
                problems += result.problems
            }
        }
        problems += duplicates(parsed)
        if !problems.isEmpty { throw ScenarioLoadError(problems: problems) }
        return parsed.map(\.scenario)
    }

    /// Loads scenarios from text (one document, or several separated by `---`).
    public func load(text: String, source: String) throws(ScenarioLoadError) -> [Scenario] {
        let result = parse(text: text, source: source)
        let problems = result.problems + duplicates(result.scenarios)
        if !problems.isEmpty { throw ScenarioLoadError(problems: problems) }
        return result.scenarios.map(\.scenario)
    }

    /// A scenario as read, with whether it had problems of its own (it still counts for duplicate names).
    struct ParsedScenario {
        var scenario: Scenario
        var valid: Bool
    }

    /// Every scenario name used more than once, reported at each later use with the place of the first.
    func duplicates(_ scenarios: [ParsedScenario]) -> [ScenarioProblem] {
        var first: [String: Scenario] = [:]
        var problems: [ScenarioProblem] = []
        for s in scenarios.map(\.scenario) where Self.isValidName(s.name) {
            if let earlier = first[s.name] {
                problems.append(ScenarioProblem(
                    file: s.source, line: s.line, column: s.column,
                    message: "Scenario name '\(s.name)' is used twice: here and at \(earlier.source):\(earlier.line):\(earlier.column).",
                    fix: "Give every scenario a unique name: the header x-understudy-scenario, the admin API and the journal select scenarios by name."))
            } else {
                first[s.name] = s
            }
        }
        return problems
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
    }

    func parse(text: String, source: String) -> (scenarios: [ParsedScenario], problems: [ScenarioProblem]) {
        let documents: [Node]
        do {
            // Parser.nextRoot throws on syntax errors (compose_all's sequence would stop silently).
            let parser = try Parser(yaml: text)
            var roots: [Node] = []
            while let root = try parser.nextRoot() { roots.append(root) }
            documents = roots
        } catch let error as YamlError {
            return ([], [Self.problem(from: error, file: source)])
        } catch {
            return ([], [ScenarioProblem(file: source, line: 0, column: 0, message: "\(error)", fix: "Check that the file is YAML or JSON.")])
        }
        var scenarios: [ParsedScenario] = []
        var problems: [ScenarioProblem] = []
        if documents.isEmpty {
            problems.append(ScenarioProblem(file: source, line: 1, column: 1, message: "The file holds no scenario.", fix: "Start the file with 'name: my-scenario' and a 'reply:', or list several under 'scenarios:'."))
        }
        for document in documents {
            var marks = MarkTable()
            let json = Self.json(from: document, path: .root, marks: &marks)
            let items: [(JSONValue, FieldPath)]
            if let list = json["scenarios"]?.arrayValue, json["name"] == nil {
                let extra = (json.objectValue ?? [:]).keys.filter { $0 != "scenarios" }.sorted()
                for key in extra {
                    problems.append(marks.problem(at: FieldPath.root.appending(key), file: source, message: "Unknown top-level member '\(key)' next to 'scenarios'.", fix: "A file holds either one scenario or {scenarios: [...]}; move '\(key)' into a scenario or remove it."))
                }
                items = list.enumerated().map { ($0.element, FieldPath.root.appending("scenarios").appending($0.offset)) }
            } else if json.objectValue != nil {
                items = [(json, .root)]
            } else {
                problems.append(marks.problem(at: .root, file: source, message: "A scenario file must hold a mapping: one scenario, or {scenarios: [...]}.", fix: "Start the file with 'name: my-scenario'."))
                continue
            }
            for (item, path) in items {
                let (scenario, found) = self.scenario(from: item, at: path, marks: marks, source: source)
                scenarios.append(ParsedScenario(scenario: scenario, valid: found.isEmpty))
                problems += found
            }
        }
        return (scenarios, problems)
    }

    // MARK: Building

    /// Builds one scenario and every problem found in it (schema, ranges, references, semantics).
    func scenario(from raw: JSONValue, at path: FieldPath, marks: MarkTable, source: String) -> (Scenario, [ScenarioProblem]) {
        var problems = ScenarioSchema.withoutEchoes(SchemaValidator.problems(in: raw, as: ScenarioSchema.scenario, at: path), value: raw, type: ScenarioSchema.scenario, base: path).map {
            marks.problem(forViolation: $0, file: source, value: raw, type: ScenarioSchema.scenario, base: path)
        }
        let json = (try? SchemaValidator.validate(raw, as: ScenarioSchema.scenario, at: path)) ?? raw
        let name = json["name"]?.stringValue ?? ""
        if json["name"] != nil && !Self.isValidName(name) {
            problems.append(marks.problem(at: path.appending("name"), file: source, message: "Invalid scenario name '\(name)'.", fix: "Use letters, digits, '-', '_' or '.', e.g. 'rate-limited-then-success'."))
        }
        var scenario = Scenario(
            name: name, description: json["description"]?.stringValue, source: source,
            match: matcher(json["match"], at: path.appending("match"), marks: marks, source: source, problems: &problems),
            steps: [], faults: [], tenant: nil)
        scenario.explicit = json["explicit"]?.boolValue ?? false
        scenario.definition = json
        (scenario.line, scenario.column) = marks.position(json["name"] != nil ? path.appending("name") : path)
        let hasReply = json["reply"] != nil
        let hasSteps = json["steps"] != nil
        if hasReply && hasSteps {
            problems.append(marks.problem(at: path.appending("steps"), file: source, message: "A scenario has either 'reply' or 'steps', not both.", fix: "Move the reply into the first step."))
        }
        // Function calls each step makes, for checking {{steps.N.calls.M}} references.
        var callCounts: [Int] = []
        if let reply = json["reply"] {
            let script = replyScript(reply, at: path.appending("reply"), step: 1, callCounts: callCounts, marks: marks, source: source, problems: &problems)
            callCounts.append(script.outputs.filter { $0["type"]?.stringValue == "function_call" }.count)
            scenario.steps = [Scenario.Step(reply: script)]
        }
        if let list = json["steps"]?.arrayValue, list.isEmpty {
            problems.append(marks.problem(at: path.appending("steps"), file: source, message: "'steps' is empty.", fix: "List at least one step, e.g. steps: [{reply: {text: Hello}}]."))
        }
        for (i, s) in (json["steps"]?.arrayValue ?? []).enumerated() {
            let sp = path.appending("steps").appending(i)
            let script = replyScript(s["reply"] ?? .object([:]), at: sp.appending("reply"), step: i + 1, callCounts: callCounts, marks: marks, source: source, problems: &problems)
            var step = Scenario.Step(reply: script)
            if let m = s["match"] { step.match = matcher(m, at: sp.appending("match"), marks: marks, source: source, problems: &problems) }
            if let e = s["expect"] {
                var x = Scenario.Expectation()
                x.functionResults = (e["function_results"]?.arrayValue ?? []).compactMap(\.stringValue)
                x.inputContains = e["input_contains"]?.stringValue
                x.inputMatches = e["input_matches"]?.stringValue
                x.tools = (e["tools"]?.arrayValue ?? []).compactMap(\.stringValue)
                let ep = sp.appending("expect")
                if let pattern = x.inputMatches, (try? Regex(pattern)) == nil {
                    problems.append(marks.problem(at: ep.appending("input_matches"), file: source, message: "'\(pattern)' is not a valid regular expression.", fix: "Escape special characters with a backslash."))
                }
                if i == 0 && !x.functionResults.isEmpty {
                    problems.append(marks.problem(at: ep.appending("function_results"), file: source, message: "The first step cannot expect function results: nothing was called before it.", fix: "Put the expectation on the step after the one that calls the function."))
                }
                // An expectation is checked before its step answers: only earlier steps are known.
                for (j, text) in x.functionResults.enumerated() {
                    checkTemplates(text, at: ep.appending("function_results").appending(j), step: i + 1, inExpect: true, callsBefore: 0, callCounts: callCounts, marks: marks, source: source, problems: &problems)
                }
                if let text = x.inputContains {
                    checkTemplates(text, at: ep.appending("input_contains"), step: i + 1, inExpect: true, callsBefore: 0, callCounts: callCounts, marks: marks, source: source, problems: &problems)
                }
                step.expect = x
            }
            callCounts.append(script.outputs.filter { $0["type"]?.stringValue == "function_call" }.count)
            scenario.steps.append(step)
        }
        for (i, f) in (json["faults"]?.arrayValue ?? []).enumerated() {
            scenario.faults.append(fault(f, at: path.appending("faults").appending(i), marks: marks, source: source, problems: &problems))
        }
        if scenario.steps.isEmpty && scenario.faults.isEmpty && !hasSteps {
            problems.append(marks.problem(at: path, file: source, message: "\(name.isEmpty ? "The scenario" : "Scenario '\(name)'") does nothing: it has no 'reply', 'steps' or 'faults'.", fix: "Add a 'reply:' (for example 'reply: {text: Hello}') or a 'faults:' list."))
        }
        return (scenario, problems)
    }

    func matcher(_ json: JSONValue?, at path: FieldPath, marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Scenario.Matcher {
        var m = Scenario.Matcher()
        guard let json else { return m }
        m.model = json["model"]?.stringValue
        m.agent = json["agent"]?.stringValue
        m.inputContains = json["input_contains"]?.stringValue
        m.inputMatches = json["input_matches"]?.stringValue
        m.tools = (json["tools"]?.arrayValue ?? []).compactMap(\.stringValue)
        m.hasPrevious = json["has_previous"]?.boolValue
        m.headers = Dictionary((json["headers"]?.objectValue ?? [:]).compactMap { k, v in v.stringValue.map { (k.lowercased(), $0) } }, uniquingKeysWith: { a, _ in a })
        m.stream = json["stream"]?.boolValue
        m.background = json["background"]?.boolValue
        m.nth = integer(json, "nth", at: path, min: 1, marks: marks, source: source, problems: &problems, fix: "nth counts from 1: use nth: 1 for the first matching request, nth: 2 for the second.")
        if let pattern = m.inputMatches, (try? Regex(pattern)) == nil {
            problems.append(marks.problem(at: path.appending("input_matches"), file: source, message: "'\(pattern)' is not a valid regular expression.", fix: "Escape special characters with a backslash, or use input_contains for plain text."))
        }
        if m.model != nil && m.agent != nil {
            problems.append(marks.problem(at: path.appending("agent"), file: source, message: "A request names a model or an agent, never both.", fix: "Keep only one of 'model' and 'agent'."))
        }
        return m
    }

    /// Call types and the result type that answers each.
    static let resultOfCall: [String: String] = [
        "function_call": "function_result", "code_execution_call": "code_execution_result", "url_context_call": "url_context_result",
        "google_search_call": "google_search_result", "mcp_server_tool_call": "mcp_server_tool_result",
        "file_search_call": "file_search_result", "google_maps_call": "google_maps_result",
    ]

    func replyScript(_ json: JSONValue, at path: FieldPath, step: Int, callCounts: [Int], marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Scenario.ReplyScript {
        var r = Scenario.ReplyScript()
        if let text = json["text"]?.stringValue {
            r.outputs.append(["type": "text", "text": .string(text)])
            checkTemplates(text, at: path.appending("text"), step: step, inExpect: false, callsBefore: 0, callCounts: callCounts, marks: marks, source: source, problems: &problems)
        }
        var callsBefore = 0
        // Calls of this reply not yet answered by a result in it, by call type, oldest first.
        var openCalls: [String: Int] = [:]
        for (i, block) in (json["outputs"]?.arrayValue ?? []).enumerated() {
            let bp = path.appending("outputs").appending(i)
            var b = block
            // Conveniences: summary as strings, media from a fixture file, ids filled in at run time.
            if let summary = b["summary"]?.arrayValue, summary.contains(where: { $0.stringValue != nil }) {
                b["summary"] = .array(summary.map { $0.stringValue.map { .object(["type": "text", "text": .string($0)]) } ?? $0 })
            }
            if let fixture = b["fixture"]?.stringValue {
                b["fixture"] = nil
                guard let data = fixtureData(fixture, at: bp.appending("fixture"), marks: marks, source: source, problems: &problems) else { continue }
                b["data"] = .string(data.base64EncodedString())
                if b["mime_type"] == nil, let mime = Self.mimeType(forFile: fixture) { b["mime_type"] = .string(mime) }
            }
            let type = b["type"]?.stringValue ?? ""
            if Self.resultOfCall[type] != nil {
                if b["id"] == nil { b["id"] = "{{auto}}" }
                openCalls[type, default: 0] += 1
            }
            if type == "function_call", b["arguments"] == nil { b["arguments"] = .object([:]) }
            if let callType = Self.resultOfCall.first(where: { $0.value == type })?.key {
                if b["call_id"] == nil {
                    // A result without call_id answers the oldest unanswered call of its kind before it.
                    if openCalls[callType, default: 0] > 0 {
                        b["call_id"] = "{{pair}}"
                        openCalls[callType]! -= 1
                    } else if type != "file_search_result" {
                        problems.append(marks.problem(
                            at: bp, file: source,
                            message: "This \(type) has no 'call_id' and no \(callType) before it in the same reply to pair with.",
                            fix: "Put the \(callType) before it (a result without call_id answers the oldest unanswered call of its kind in the reply), or give 'call_id' explicitly."))
                        continue
                    }
                } else if openCalls[callType, default: 0] > 0 {
                    openCalls[callType]! -= 1
                }
            }
            for (p, text) in Self.strings(in: b, at: bp) {
                checkTemplates(text, at: p, step: step, inExpect: false, callsBefore: callsBefore, callCounts: callCounts, marks: marks, source: source, problems: &problems)
            }
            if type == "function_call" { callsBefore += 1 }
            let blockProblems = ScenarioSchema.withoutEchoes(SchemaValidator.problems(in: b, as: APISchema.contentAllowingFutureTypes, at: bp), value: b, type: APISchema.contentAllowingFutureTypes, base: bp)
            if blockProblems.isEmpty {
                r.outputs.append(b)
            } else {
                problems += blockProblems.map {
                    marks.problem(forViolation: $0, file: source, value: b, type: APISchema.contentAllowingFutureTypes, base: bp, fallbackFix: "See the content block reference in scenarios/README.md.")
                }
            }
        }
        if let s = json["status"]?.stringValue { r.status = InteractionStatus(rawValue: s) }
        if let usage = json["usage"] {
            for key in ["input_tokens", "output_tokens", "reasoning_tokens", "cached_tokens", "tool_use_tokens"] {
                _ = integer(usage, key, at: path.appending("usage"), min: 0, marks: marks, source: source, problems: &problems, fix: "Token counts are 0 or more.")
            }
            r.usage = usage
        }
        if let e = json["error"] {
            r.error = InteractionFailure(code: e["code"]?.stringValue ?? "internal", message: e["message"]?.stringValue ?? "The interaction failed.")
            if r.status == nil { r.status = .failed }
            if let status = r.status, status != .failed && status != .incomplete {
                problems.append(marks.problem(at: path.appending("status"), file: source, message: "'error' goes with status failed (or incomplete), not \(status.rawValue).", fix: "Remove 'status' (an error implies failed) or remove 'error'."))
            }
        }
        if let s = json["stream"] {
            let sp = path.appending("stream")
            r.chunkSize = integer(s, "chunk_size", at: sp, min: 1, marks: marks, source: source, problems: &problems, fix: "chunk_size is the most characters per content.delta: 1 or more (the default is 24).")
            r.delayMillis = durationMillis(s["delay"], at: sp.appending("delay"), max: Self.realWaitLimitMillis, marks: marks, source: source, problems: &problems)
            r.streamFaults.cutAfterEvents = integer(s, "cut_after", at: sp, min: 0, marks: marks, source: source, problems: &problems, fix: "cut_after counts events sent before the connection drops: 0 drops it before the first event.")
            r.streamFaults.malformedEvent = integer(s, "malformed_event", at: sp, min: 1, marks: marks, source: source, problems: &problems, fix: "Events count from 1: malformed_event: 1 corrupts the first event.")
            r.streamFaults.unknownEventAfter = integer(s, "unknown_event_after", at: sp, min: 1, marks: marks, source: source, problems: &problems, fix: "Events count from 1: unknown_event_after: 1 sends the extra event right after the first.")
            r.streamFaults.dripMillis = durationMillis(s["drip"], at: sp.appending("drip"), max: Self.realWaitLimitMillis, marks: marks, source: source, problems: &problems)
        }
        if let waits = json["background"]?.arrayValue {
            var steps: [PendingRun.Step] = []
            for (i, w) in waits.enumerated() {
                let wp = path.appending("background").appending(i)
                let given = ["polls", "after", "hold", "immediately"].filter { w[$0] != nil }
                if given.count > 1 {
                    problems.append(marks.problem(at: wp, file: source, message: "A background wait has one trigger, this one has \(given.count): \(given.joined(separator: ", ")).", fix: "Split it into consecutive waits, e.g. [{polls: 1}, {hold: go}]."))
                    continue
                }
                let trigger: PendingRun.Trigger
                if w["polls"] != nil {
                    guard let polls = integer(w, "polls", at: wp, min: 1, marks: marks, source: source, problems: &problems, fix: "polls: N ends the wait on the N-th GET (N ≥ 1); use {immediately: true} for no wait.") else { continue }
                    trigger = .afterPolls(polls)
                } else if w["after"] != nil {
                    guard let ms = durationMillis(w["after"], at: wp.appending("after"), max: nil, marks: marks, source: source, problems: &problems) else { continue }
                    trigger = .afterSeconds(Double(ms) / 1000)
                } else if w["hold"] != nil {
                    guard let hold = w["hold"]?.stringValue else { continue }
                    if !Self.isValidName(hold) {
                        problems.append(marks.problem(at: wp.appending("hold"), file: source, message: "Invalid hold name '\(hold)'.", fix: "Use letters, digits, '-', '_' or '.': the name goes into the URL POST /_understudy/holds/NAME/release."))
                        continue
                    }
                    trigger = .hold(hold)
                } else if w["immediately"] != nil {
                    guard w["immediately"]?.boolValue == true else {
                        if w["immediately"]?.boolValue == false {
                            problems.append(marks.problem(at: wp.appending("immediately"), file: source, message: "'immediately: false' is not a trigger.", fix: "Remove the wait, or write {immediately: true}."))
                        }
                        continue
                    }
                    trigger = .immediately
                } else {
                    problems.append(marks.problem(at: wp, file: source, message: "A background wait needs one of 'polls', 'after', 'hold' or 'immediately'.", fix: "For example: {polls: 2} or {after: 30s} or {hold: review-done}."))
                    continue
                }
                steps.append(PendingRun.Step(status: .inProgress, trigger: trigger, note: w["note"]?.stringValue))
            }
            r.timeline = steps
        }
        if json["retention"] != nil {
            r.retentionSeconds = durationMillis(json["retention"], at: path.appending("retention"), max: nil, marks: marks, source: source, problems: &problems).map { Int64($0 / 1000) }
        }
        if r.outputs.isEmpty && r.error == nil && json["outputs"] == nil && json["text"] == nil {
            problems.append(marks.problem(at: path, file: source, message: "The reply has no 'text', 'outputs' or 'error'.", fix: "Add 'text: ...' or an 'outputs:' list of content blocks."))
        }
        return r
    }

    /// The bytes of a fixture, or a problem: not found, or a path that leaves the fixtures directory.
    func fixtureData(_ fixture: String, at path: FieldPath, marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Data? {
        let components = fixture.split(separator: "/", omittingEmptySubsequences: false)
        if fixture.hasPrefix("/") || fixture.hasPrefix("~") || components.contains("..") || fixture.isEmpty {
            problems.append(marks.problem(
                at: path, file: source,
                message: "Fixture path '\(fixture)' leaves the fixtures directory (\(absoluteFixturesDirectory)).",
                fix: "Fixture paths are relative to the fixtures directory and stay inside it: copy the file there, or point --fixtures (of 'understudy serve' or 'understudy scenarios lint') at the directory that holds it."))
            return nil
        }
        let file = (fixturesDirectory as NSString).appendingPathComponent(fixture)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: file)
        else {
            problems.append(marks.problem(
                at: path, file: source,
                message: "Fixture '\(fixture)' not found in the fixtures directory \(absoluteFixturesDirectory).",
                fix: "Put the file there, or pass --fixtures DIR (to 'understudy serve' or 'understudy scenarios lint') naming the directory that holds it; the default is ./fixtures, relative to the current directory."))
            return nil
        }
        return data
    }

    func fault(_ json: JSONValue, at path: FieldPath, marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Scenario.Fault {
        var f = Scenario.Fault()
        f.on = json["on"]?.stringValue.flatMap(Scenario.Fault.Route.init(rawValue:)) ?? .create
        f.times = integer(json, "times", at: path, min: 1, marks: marks, source: source, problems: &problems, fix: "times: N injects on N calls, then lets calls through; omit it to inject on every call.")
        f.skip = integer(json, "skip", at: path, min: 0, marks: marks, source: source, problems: &problems, fix: "skip: N lets the first N matching calls through (0, the default, skips none).") ?? 0
        let latency = durationMillis(json["latency"], at: path.appending("latency"), max: Self.realWaitLimitMillis, marks: marks, source: source, problems: &problems)
        f.latencyMillis = latency ?? 0
        f.dropConnection = json["drop_connection"]?.boolValue ?? false
        let retryAfterMillis = integer(json, "retry_after_ms", at: path, min: 0, marks: marks, source: source, problems: &problems, fix: "retry_after_ms is a delay in milliseconds: 0 or more (retry_after_ms: 10 keeps tests fast).")
        let retryAfter = durationMillis(json["retry_after"], at: path.appending("retry_after"), max: nil, marks: marks, source: source, problems: &problems)
        if let status = json["status"]?.intValue.map(Int.init) {
            var e = APIError(
                httpStatus: status, status: json["status_name"]?.stringValue ?? APIError.canonicalStatus(forHTTP: status),
                message: json["message"]?.stringValue ?? APIError.defaultMessage(forHTTP: status))
            var retrySeconds: Double?
            if let ms = retryAfter {
                retrySeconds = Double(ms) / 1000
                e.headers["retry-after"] = Self.secondsText(Double(ms) / 1000)
            }
            if let ms = retryAfterMillis {
                e.headers["retry-after-ms"] = String(ms)
                retrySeconds = retrySeconds ?? Double(ms) / 1000
            }
            if let should = json["should_retry"]?.boolValue { e.headers["x-should-retry"] = should ? "true" : "false" }
            for (k, v) in json["headers"]?.objectValue ?? [:] { if let v = v.stringValue { e.headers[k.lowercased()] = v } }
            if status == 429 {
                e.details.append([
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [["quotaMetric": "generativelanguage.googleapis.com/generate_content_requests", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel"]],
                ])
            }
            if let seconds = retrySeconds {
                e.details.append(["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": .string(Self.secondsText(seconds) + "s")])
            }
            e.details += json["details"]?.arrayValue ?? []
            f.error = e
            if !(400...599).contains(status) {
                problems.append(marks.problem(at: path.appending("status"), file: source, message: "An injected error needs an HTTP error status (400-599), got \(status).", fix: "Use e.g. 429, 500 or 503."))
            }
        } else if json["status"] == nil {
            // Members that shape the error answer do nothing without a status.
            for key in ["status_name", "message", "retry_after", "retry_after_ms", "should_retry", "headers", "details"] where json[key] != nil {
                problems.append(marks.problem(at: path.appending(key), file: source, message: "'\(key)' has no effect without 'status'.", fix: "Add the HTTP status to answer with, e.g. status: 429."))
            }
        }
        // (An invalid latency is reported on its own.)
        let latencyDoesNothing = latency.map { $0 == 0 } ?? (json["latency"] == nil)
        if json["status"] == nil && !f.dropConnection && latencyDoesNothing {
            problems.append(marks.problem(at: path, file: source, message: "The fault does nothing: give it a 'status', a 'latency' or 'drop_connection: true'.", fix: "For a rate limit: {status: 429, retry_after_ms: 10, times: 2}."))
        }
        return f
    }

    // MARK: Numbers

    /// Real waits (latency, stream delay and drip) longer than this hold a connection past any client timeout.
    static let realWaitLimitMillis = 3_600_000

    /// An integer member checked against its range; nil (with a problem) outside it, nil when absent or
    /// of the wrong type (the schema reports that).
    func integer(_ json: JSONValue, _ key: String, at parent: FieldPath, min: Int, max: Int? = nil, marks: MarkTable, source: String, problems: inout [ScenarioProblem], fix: String) -> Int? {
        guard let v = json[key]?.intValue else { return nil }
        let tooSmall = v < Int64(min)
        let tooLarge = max.map { v > Int64($0) } ?? false
        if tooSmall || tooLarge {
            let range = max.map { "between \(min) and \($0)" } ?? "\(min) or more"
            problems.append(marks.problem(at: parent.appending(key), file: source, message: "'\(parent.appending(key))' must be \(range), got \(v).", fix: fix))
            return nil
        }
        return Int(v)
    }

    /// A duration in milliseconds, at least 0 and at most `max`; nil (with a problem) when invalid.
    func durationMillis(_ value: JSONValue?, at path: FieldPath, max: Int?, marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Int? {
        guard let value else { return nil }
        var millis: Double?
        switch value {
        case .int(let i): millis = Double(i) * 1000
        case .double(let d): millis = d * 1000
        case .string(let s): millis = DurationText.parseMillis(s).map(Double.init)
        default: return nil  // the schema reports the wrong type
        }
        let key = path.description
        guard let ms = millis, ms.isFinite, abs(ms) < 9e15 else {
            problems.append(marks.problem(at: path, file: source, message: "'\(key)' is not a valid duration: \(value.jsonString).", fix: "Write a number of seconds or a number with a unit: 250ms, 2s, 5m, 24h, 55d."))
            return nil
        }
        if ms < 0 {
            problems.append(marks.problem(at: path, file: source, message: "'\(key)' cannot be negative, got \(value.jsonString).", fix: "Durations are 0 or more, e.g. 250ms, 2s, 5m."))
            return nil
        }
        if let max, ms > Double(max) {
            problems.append(marks.problem(at: path, file: source, message: "'\(key)' of \(value.jsonString) is longer than the limit of \(max / 60_000) minutes for waits in real time.", fix: "Use a shorter wait; a test of client timeouts needs only a little more than the client's timeout."))
            return nil
        }
        return Int(ms)
    }

    static func secondsText(_ s: Double) -> String {
        s.rounded() == s ? String(Int(s)) : String(s)
    }

    static func mimeType(forFile name: String) -> String? {
        let ext = (name as NSString).pathExtension.lowercased()
        return [
            "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif",
            "wav": "audio/wav", "mp3": "audio/mp3", "ogg": "audio/ogg", "flac": "audio/flac", "pcm": "audio/l16",
            "pdf": "application/pdf", "mp4": "video/mp4", "webm": "video/webm", "mov": "video/mov",
        ][ext]
    }

    // MARK: Templates

    /// Every string in a JSON value, with its path.
    static func strings(in value: JSONValue, at path: FieldPath) -> [(FieldPath, String)] {
        switch value {
        case .string(let s): return [(path, s)]
        case .array(let a): return a.enumerated().flatMap { strings(in: $0.element, at: path.appending($0.offset)) }
        case .object(let o): return o.keys.sorted().flatMap { strings(in: o[$0]!, at: path.appending($0)) }
        default: return []
        }
    }

    /// The `{{…}}` names used in a string.
    static func templateNames(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            names.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
    }

    static let knownTemplates = "{{interaction.id}}, {{previous.id}}, {{request.text}}, {{request.model}}, {{request.function_results.N.call_id|name|result}}, {{steps.N.id}}, {{steps.N.calls.M.id|name}}, {{chain.position}}"

    /// Checks the references of one string: known names, and steps and calls that exist when it is used.
    /// `step` is the 1-based step the string belongs to; an expectation is checked before its step
    /// answers, a reply's strings while it is built (`callsBefore` function calls precede them).
    func checkTemplates(_ text: String, at path: FieldPath, step: Int, inExpect: Bool, callsBefore: Int, callCounts: [Int], marks: MarkTable, source: String, problems: inout [ScenarioProblem]) {
        for name in Self.templateNames(in: text) {
            if let (message, fix) = Self.templateProblem(name, step: step, inExpect: inExpect, callsBefore: callsBefore, callCounts: callCounts) {
                problems.append(marks.problem(at: path, file: source, message: message, fix: fix))
            }
        }
    }

    static func templateProblem(_ name: String, step: Int, inExpect: Bool, callsBefore: Int, callCounts: [Int]) -> (String, String)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let unknown = ("Unknown template '{{\(name)}}'.", "Known templates: \(knownTemplates). Numbers count from 1.")
        func number(_ s: String) -> Int? { Int(s).flatMap { $0 >= 1 ? $0 : nil } }
        switch parts.first {
        case "auto", "pair": return parts.count == 1 ? nil : unknown
        case "interaction", "previous": return parts.count == 2 && parts[1] == "id" ? nil : unknown
        case "chain": return parts == ["chain", "position"] ? nil : unknown
        case "request":
            if parts == ["request", "text"] || parts == ["request", "model"] { return nil }
            if parts.count == 4, parts[1] == "function_results", number(parts[2]) != nil, ["call_id", "name", "result"].contains(parts[3]) { return nil }
            return unknown
        case "steps":
            guard parts.count >= 3, let n = number(parts[1]) else { return unknown }
            let isID = parts.count == 3 && parts[2] == "id"
            let isCall = parts.count == 5 && parts[2] == "calls" && number(parts[3]) != nil && ["id", "name"].contains(parts[4])
            guard isID || isCall else { return unknown }
            let latestKnown = inExpect ? step - 1 : step
            if n > latestKnown {
                let when = inExpect ? "step \(step)'s expectation is checked before step \(step) answers" : "step \(step) answers before step \(n)"
                return ("'{{\(name)}}' refers to step \(n), which has not answered yet: \(when).", "Refer to an earlier step (steps count from 1), or use {{interaction.id}} for the interaction being answered.")
            }
            if isCall, let m = number(parts[3]) {
                let available = n == step ? callsBefore : callCounts[n - 1]
                if m > available {
                    let what = n == step ? "the reply has \(available) function_call block(s) before this point" : "step \(n) makes \(available) function call(s)"
                    return ("'{{\(name)}}' refers to function call \(m) of step \(n), but \(what).", "Count the function_call blocks of step \(n) from 1; built-in tool results pair with their call by leaving out 'call_id'.")
                }
            }
            return nil
        default:
            return unknown
        }
    }

    // MARK: YAML → JSON with positions

    static func problem(from error: YamlError, file: String) -> ScenarioProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            let tab = problem.contains("cannot start any token")
            return ScenarioProblem(
                file: file, line: mark.line, column: mark.column, message: "YAML syntax error: \(what).",
                fix: tab ? "YAML indents with spaces; a tab cannot start a line's content." : "Check indentation and quoting on this line and the one before.")
        case .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ScenarioProblem(file: file, line: mark.line, column: mark.column, message: "YAML error: \(what).", fix: "Check anchors and aliases (*name needs an &name before it).")
        default:
            return ScenarioProblem(file: file, line: 0, column: 0, message: "YAML error: \(error)", fix: "Check that the file is YAML or JSON.")
        }
    }

    static func json(from node: Node, path: FieldPath, marks: inout MarkTable) -> JSONValue {
        if let mark = node.mark { marks.marks[path] = (mark.line, mark.column) }
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var o: [String: JSONValue] = [:]
            for (key, value) in mapping {
                let k = key.string ?? ""
                if let mark = key.mark { marks.keyMarks[path.appending(k)] = (mark.line, mark.column) }
                o[k] = json(from: value, path: path.appending(k), marks: &marks)
            }
            return .object(o)
        case .sequence(let sequence):
            return .array(sequence.enumerated().map { json(from: $0.element, path: path.appending($0.offset), marks: &marks) })
        case .alias:
            return .null
        }
    }
}

/// Line and column of every value (and key) in a composed document.
struct MarkTable: Sendable {
    var marks: [FieldPath: (Int, Int)] = [:]
    var keyMarks: [FieldPath: (Int, Int)] = [:]

    func position(_ path: FieldPath) -> (Int, Int) {
        var p = path
        while true {
            if let m = keyMarks[p] ?? marks[p] { return m }
            if p.components.isEmpty { return (1, 1) }
            p.components.removeLast()
        }
    }

    func problem(at path: FieldPath, file: String, message: String, fix: String?) -> ScenarioProblem {
        let (line, column) = position(path)
        return ScenarioProblem(file: file, line: line, column: column, message: message, fix: fix)
    }

    /// A schema violation in plain words, with a fix. `value` was validated as `type` starting at `base`.
    func problem(forViolation v: SchemaViolation, file: String, value: JSONValue, type: SchemaType, base: FieldPath, fallbackFix: String? = nil) -> ScenarioProblem {
        let path = FieldPath.parse(v.field)
        let (message, fix) = ScenarioSchema.plain(v, path: path, value: value, type: type, base: base)
        return problem(at: path, file: file, message: message, fix: fix ?? fallbackFix ?? "See the reference in scenarios/README.md.")
    }
}

extension FieldPath {
    /// Parses `a.b[2].c` back into components.
    static func parse(_ text: String) -> FieldPath {
        var components: [Component] = []
        for part in text.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                let key = rest[..<bracket]
                if !key.isEmpty { components.append(.key(String(key))) }
                rest = rest[bracket...]
                while let open = rest.firstIndex(of: "["), let close = rest.firstIndex(of: "]"), open < close {
                    if let i = Int(rest[rest.index(after: open)..<close]) { components.append(.index(i)) }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                components.append(.key(String(rest)))
            }
        }
        return FieldPath(components)
    }
}
