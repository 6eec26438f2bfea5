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

/// Several problems at once: loading reports all it can find, not only the first.
public struct ScenarioLoadError: Error, Sendable, CustomStringConvertible {
    public var problems: [ScenarioProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Reads scenario files (YAML, or JSON, which is YAML too) into `Scenario`s.
///
/// The text is composed with Yams so every value keeps its line and column; the document is then checked
/// against `ScenarioSchema` and each content block against the API's content schema, and every problem
/// is reported as `file:line:column` with a suggested fix.
public struct ScenarioLoader: Sendable {
    /// Where `fixture:` references are looked up (the project's `fixtures/` by default).
    public var fixturesDirectory: String

    public init(fixturesDirectory: String = "fixtures") {
        self.fixturesDirectory = fixturesDirectory
    }

    /// Loads every `.yaml`, `.yml` and `.json` file under `path` (a file or a directory), sorted by name.
    public func load(path: String) throws(ScenarioLoadError) -> [Scenario] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioLoadError(problems: [ScenarioProblem(file: path, line: 0, column: 0, message: "No such file or directory.", fix: "Check the path given to --scenarios.")])
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
        var scenarios: [Scenario] = []
        var problems: [ScenarioProblem] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                problems.append(ScenarioProblem(file: file, line: 0, column: 0, message: "The file cannot be read as UTF-8 text.", fix: nil))
                continue
            }
            do {
                scenarios += try load(text: text, source: file)
            } catch {
                problems += error.problems
            }
        }
        problems += duplicates(scenarios)
        if !problems.isEmpty { throw ScenarioLoadError(problems: problems) }
        return scenarios
    }

    func duplicates(_ scenarios: [Scenario]) -> [ScenarioProblem] {
        var seen: [String: String] = [:]
        var problems: [ScenarioProblem] = []
        for s in scenarios {
            if let first = seen[s.name] {
                problems.append(ScenarioProblem(file: s.source, line: 0, column: 0, message: "Scenario name '\(s.name)' is already used in \(first).", fix: "Give every scenario a unique name."))
            } else {
                seen[s.name] = s.source
            }
        }
        return problems
    }

    /// Loads scenarios from text (one document, or several separated by `---`).
    public func load(text: String, source: String) throws(ScenarioLoadError) -> [Scenario] {
        let documents: [Node]
        do {
            // Parser.nextRoot throws on syntax errors (compose_all's sequence would stop silently).
            let parser = try Parser(yaml: text)
            var roots: [Node] = []
            while let root = try parser.nextRoot() { roots.append(root) }
            documents = roots
        } catch let error as YamlError {
            throw ScenarioLoadError(problems: [Self.problem(from: error, file: source)])
        } catch {
            throw ScenarioLoadError(problems: [ScenarioProblem(file: source, line: 0, column: 0, message: "\(error)", fix: nil)])
        }
        var scenarios: [Scenario] = []
        var problems: [ScenarioProblem] = []
        for document in documents {
            var marks = MarkTable()
            let json = Self.json(from: document, path: .root, marks: &marks)
            let items: [(JSONValue, FieldPath)]
            if let list = json["scenarios"]?.arrayValue, json["name"] == nil {
                let extra = (json.objectValue ?? [:]).keys.filter { $0 != "scenarios" }.sorted()
                for key in extra {
                    problems.append(marks.problem(at: FieldPath.root.appending(key), file: source, message: "Unknown top-level member '\(key)'.", fix: "A file holds either one scenario or {scenarios: [...]}."))
                }
                items = list.enumerated().map { ($0.element, FieldPath.root.appending("scenarios").appending($0.offset)) }
            } else if json.objectValue != nil {
                items = [(json, .root)]
            } else {
                problems.append(marks.problem(at: .root, file: source, message: "A scenario file must hold a mapping: one scenario, or {scenarios: [...]}.", fix: "Start the file with 'name: my-scenario'."))
                continue
            }
            for (item, path) in items {
                do {
                    scenarios.append(try scenario(from: item, at: path, marks: marks, source: source))
                } catch {
                    problems += error.problems
                }
            }
        }
        if !problems.isEmpty { throw ScenarioLoadError(problems: problems) }
        return scenarios
    }

    // MARK: Building

    func scenario(from raw: JSONValue, at path: FieldPath, marks: MarkTable, source: String) throws(ScenarioLoadError) -> Scenario {
        // Schema problems and the semantic checks below are all reported together.
        var problems = SchemaValidator.problems(in: raw, as: ScenarioSchema.scenario, at: path).map { marks.problem(forViolation: $0, file: source) }
        let json = (try? SchemaValidator.validate(raw, as: ScenarioSchema.scenario, at: path)) ?? raw
        let name = json["name"]?.stringValue ?? ""
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) {
            problems.append(marks.problem(at: path.appending("name"), file: source, message: "Invalid scenario name '\(name)'.", fix: "Use letters, digits, '-', '_' or '.', e.g. 'rate-limited-then-success'."))
        }
        var scenario = Scenario(
            name: name, description: json["description"]?.stringValue, source: source,
            match: matcher(json["match"], at: path.appending("match"), marks: marks, source: source, problems: &problems),
            steps: [], faults: [], tenant: nil)
        scenario.explicit = json["explicit"]?.boolValue ?? false
        let hasReply = json["reply"] != nil
        let hasSteps = json["steps"] != nil
        if hasReply && hasSteps {
            problems.append(marks.problem(at: path.appending("steps"), file: source, message: "A scenario has either 'reply' or 'steps', not both.", fix: "Move the reply into the first step."))
        }
        if let reply = json["reply"] {
            var step = Scenario.Step(reply: replyScript(reply, at: path.appending("reply"), marks: marks, source: source, problems: &problems))
            step.match = nil
            scenario.steps = [step]
        }
        for (i, s) in (json["steps"]?.arrayValue ?? []).enumerated() {
            let sp = path.appending("steps").appending(i)
            var step = Scenario.Step(reply: replyScript(s["reply"] ?? .object([:]), at: sp.appending("reply"), marks: marks, source: source, problems: &problems))
            if let m = s["match"] { step.match = matcher(m, at: sp.appending("match"), marks: marks, source: source, problems: &problems) }
            if let e = s["expect"] {
                var x = Scenario.Expectation()
                x.functionResults = (e["function_results"]?.arrayValue ?? []).compactMap(\.stringValue)
                x.inputContains = e["input_contains"]?.stringValue
                x.inputMatches = e["input_matches"]?.stringValue
                x.tools = (e["tools"]?.arrayValue ?? []).compactMap(\.stringValue)
                if let pattern = x.inputMatches, (try? Regex(pattern)) == nil {
                    problems.append(marks.problem(at: sp.appending("expect").appending("input_matches"), file: source, message: "'\(pattern)' is not a valid regular expression.", fix: "Escape special characters with a backslash."))
                }
                if i == 0 && !x.functionResults.isEmpty {
                    problems.append(marks.problem(at: sp.appending("expect").appending("function_results"), file: source, message: "The first step cannot expect function results: nothing was called before it.", fix: "Put the expectation on the step after the one that calls the function."))
                }
                step.expect = x
            }
            scenario.steps.append(step)
        }
        for (i, f) in (json["faults"]?.arrayValue ?? []).enumerated() {
            scenario.faults.append(fault(f, at: path.appending("faults").appending(i), marks: marks, source: source, problems: &problems))
        }
        if scenario.steps.isEmpty && scenario.faults.isEmpty {
            problems.append(marks.problem(at: path, file: source, message: "Scenario '\(name)' does nothing: it has no 'reply', 'steps' or 'faults'.", fix: "Add a 'reply:' (for example 'reply: {text: Hello}') or a 'faults:' list."))
        }
        if !problems.isEmpty { throw ScenarioLoadError(problems: problems) }
        return scenario
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
        m.nth = json["nth"]?.intValue.map(Int.init)
        if let n = m.nth, n < 1 {
            problems.append(marks.problem(at: path.appending("nth"), file: source, message: "'nth' counts from 1, got \(n).", fix: "Use nth: 1 for the first matching request."))
        }
        if let pattern = m.inputMatches, (try? Regex(pattern)) == nil {
            problems.append(marks.problem(at: path.appending("input_matches"), file: source, message: "'\(pattern)' is not a valid regular expression.", fix: "Escape special characters with a backslash, or use input_contains for plain text."))
        }
        if m.model != nil && m.agent != nil {
            problems.append(marks.problem(at: path.appending("agent"), file: source, message: "A request names a model or an agent, never both.", fix: "Keep only one of 'model' and 'agent'."))
        }
        return m
    }

    func replyScript(_ json: JSONValue, at path: FieldPath, marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Scenario.ReplyScript {
        var r = Scenario.ReplyScript()
        if let text = json["text"]?.stringValue { r.outputs.append(["type": "text", "text": .string(text)]) }
        for (i, block) in (json["outputs"]?.arrayValue ?? []).enumerated() {
            let bp = path.appending("outputs").appending(i)
            var b = block
            // Conveniences: summary as strings, media from a fixture file, ids filled in at run time.
            if let summary = b["summary"]?.arrayValue, summary.contains(where: { $0.stringValue != nil }) {
                b["summary"] = .array(summary.map { $0.stringValue.map { .object(["type": "text", "text": .string($0)]) } ?? $0 })
            }
            if let fixture = b["fixture"]?.stringValue {
                b["fixture"] = nil
                let file = (fixturesDirectory as NSString).appendingPathComponent(fixture)
                if let data = FileManager.default.contents(atPath: file) {
                    b["data"] = .string(data.base64EncodedString())
                    if b["mime_type"] == nil, let mime = Self.mimeType(forFile: fixture) { b["mime_type"] = .string(mime) }
                } else {
                    problems.append(marks.problem(at: bp.appending("fixture"), file: source, message: "Fixture '\(fixture)' not found in \(fixturesDirectory).", fix: "Put the file under fixtures/ or start the server with --fixtures DIR."))
                    continue
                }
            }
            let type = b["type"]?.stringValue ?? ""
            if ["function_call", "mcp_server_tool_call", "code_execution_call", "url_context_call", "google_search_call", "file_search_call", "google_maps_call"].contains(type), b["id"] == nil {
                b["id"] = "{{auto}}"
            }
            if type == "function_call", b["arguments"] == nil { b["arguments"] = .object([:]) }
            let blockProblems = SchemaValidator.problems(in: b, as: APISchema.contentAllowingFutureTypes, at: bp)
            if blockProblems.isEmpty {
                r.outputs.append(b)
            } else {
                problems += blockProblems.map { marks.problem(forViolation: $0, file: source, fix: "See the content block reference in scenarios/README.md.") }
            }
        }
        if let s = json["status"]?.stringValue { r.status = InteractionStatus(rawValue: s) }
        r.usage = json["usage"]
        if let e = json["error"] {
            r.error = InteractionFailure(code: e["code"]?.stringValue ?? "internal", message: e["message"]?.stringValue ?? "The interaction failed.")
            if r.status == nil { r.status = .failed }
        }
        if let s = json["stream"] {
            r.chunkSize = s["chunk_size"]?.intValue.map(Int.init)
            r.delayMillis = durationMillis(s["delay"], at: path.appending("stream").appending("delay"), marks: marks, source: source, problems: &problems)
            r.streamFaults.cutAfterEvents = s["cut_after"]?.intValue.map(Int.init)
            r.streamFaults.malformedEvent = s["malformed_event"]?.intValue.map(Int.init)
            r.streamFaults.unknownEventAfter = s["unknown_event_after"]?.intValue.map(Int.init)
            r.streamFaults.dripMillis = durationMillis(s["drip"], at: path.appending("stream").appending("drip"), marks: marks, source: source, problems: &problems)
        }
        if let waits = json["background"]?.arrayValue {
            var steps: [PendingRun.Step] = []
            for (i, w) in waits.enumerated() {
                let wp = path.appending("background").appending(i)
                let trigger: PendingRun.Trigger
                if let polls = w["polls"]?.intValue {
                    trigger = .afterPolls(Int(polls))
                } else if w["after"] != nil {
                    trigger = .afterSeconds(Double(durationMillis(w["after"], at: wp.appending("after"), marks: marks, source: source, problems: &problems) ?? 0) / 1000)
                } else if let hold = w["hold"]?.stringValue {
                    trigger = .hold(hold)
                } else if w["immediately"]?.boolValue == true {
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
            r.retentionSeconds = durationMillis(json["retention"], at: path.appending("retention"), marks: marks, source: source, problems: &problems).map { Int64($0 / 1000) }
        }
        if r.outputs.isEmpty && r.error == nil && json["outputs"] == nil && json["text"] == nil {
            problems.append(marks.problem(at: path, file: source, message: "The reply has no 'text', 'outputs' or 'error'.", fix: "Add 'text: ...' or an 'outputs:' list of content blocks."))
        }
        return r
    }

    func fault(_ json: JSONValue, at path: FieldPath, marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Scenario.Fault {
        var f = Scenario.Fault()
        f.on = json["on"]?.stringValue.flatMap(Scenario.Fault.Route.init(rawValue:)) ?? .create
        f.times = json["times"]?.intValue.map(Int.init)
        f.skip = Int(json["skip"]?.intValue ?? 0)
        f.latencyMillis = durationMillis(json["latency"], at: path.appending("latency"), marks: marks, source: source, problems: &problems) ?? 0
        f.dropConnection = json["drop_connection"]?.boolValue ?? false
        if let status = json["status"]?.intValue.map(Int.init) {
            var e = APIError(
                httpStatus: status, status: json["status_name"]?.stringValue ?? APIError.canonicalStatus(forHTTP: status),
                message: json["message"]?.stringValue ?? APIError.defaultMessage(forHTTP: status))
            var retrySeconds: Double?
            if json["retry_after"] != nil {
                let ms = durationMillis(json["retry_after"], at: path.appending("retry_after"), marks: marks, source: source, problems: &problems) ?? 0
                retrySeconds = Double(ms) / 1000
                e.headers["retry-after"] = Self.secondsText(Double(ms) / 1000)
            }
            if let ms = json["retry_after_ms"]?.intValue {
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
        }
        if f.error == nil && f.latencyMillis == 0 && !f.dropConnection {
            problems.append(marks.problem(at: path, file: source, message: "The fault does nothing: give it a 'status', a 'latency' or 'drop_connection: true'.", fix: "For a rate limit: {status: 429, retry_after_ms: 10, times: 2}."))
        }
        return f
    }

    func durationMillis(_ value: JSONValue?, at path: FieldPath, marks: MarkTable, source: String, problems: inout [ScenarioProblem]) -> Int? {
        guard let value else { return nil }
        switch value {
        case .int(let i): return Int(i * 1000)
        case .double(let d): return Int(d * 1000)
        case .string(let s):
            if let ms = DurationText.parseMillis(s) { return Int(ms) }
        default: break
        }
        problems.append(marks.problem(at: path, file: source, message: "Invalid duration \(value.jsonString).", fix: "Write a number of seconds or a number with a unit: 250ms, 2s, 5m, 24h, 55d."))
        return nil
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

    // MARK: YAML → JSON with positions

    static func problem(from error: YamlError, file: String) -> ScenarioProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ScenarioProblem(file: file, line: mark.line, column: mark.column, message: "YAML syntax error: \(what).", fix: "Check indentation and quoting on this line and the one before.")
        case .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ScenarioProblem(file: file, line: mark.line, column: mark.column, message: "YAML error: \(what).", fix: nil)
        default:
            return ScenarioProblem(file: file, line: 0, column: 0, message: "YAML error: \(error)", fix: nil)
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

    func problem(forViolation v: SchemaViolation, file: String, fix: String? = nil) -> ScenarioProblem {
        let path = FieldPath.parse(v.field)
        let prefix = "Invalid JSON payload received. "
        let message = v.message.hasPrefix(prefix) ? String(v.message.dropFirst(prefix.count)) : v.message
        return problem(at: path, file: file, message: message, fix: ScenarioSchema.hint(for: v) ?? fix)
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
