import Foundation
import UnderstudyEngine
import UnderstudyModel
import UnderstudyWire

/// The kinds of verification a case can ask for. Each reads the request journal of the case's API key,
/// the real arrival times the runner measured, and the driver's report.
public enum CheckKind: String, CaseIterable, Sendable {
    /// The driver reported status "ok" (it ran the case and got an answer).
    case driverOK = "driver_ok"
    /// Every create body is a valid request of the revision, with the key header and a JSON content type.
    case requestsValid = "requests_valid"
    /// The number of requests to a route (create, get, stream, cancel, delete) is within [min, max].
    case requestCount = "request_count"
    /// The text the driver assembled equals `text`.
    case textEquals = "text_equals"
    /// Each create after the first names the previous successful create's id in previous_interaction_id.
    case chained
    /// No request broke a scenario expectation, and the last create succeeded.
    case noViolations = "no_violations"
    /// After the create stream, the client resumed with GET ?stream=true&last_event_id=`after`.
    case resumed
    /// The client stopped polling once a GET answered a terminal status (and polled at most `max` times).
    case stopsPolling = "stops_polling"
    /// Consecutive polls were at least `min_ms` apart (real time).
    case pollInterval = "poll_interval"
    /// After an answer with one of `statuses`, the next create came at least `min_ms` later (real time).
    case retryDelay = "retry_delay"
    /// The case's interaction ended with `status`.
    case finalStatus = "final_status"
    /// A later request carried an earlier interaction's outputs back unchanged in a model turn.
    case statelessReplay = "stateless_replay"
    /// No request used an interaction created with store=false as previous_interaction_id.
    case noChainAfterUnstored = "no_chain_after_unstored"
    /// The driver reported an error with HTTP `status` (and a message containing `message_contains`).
    case errorReported = "error_reported"
}

/// Everything a check may look at.
public struct CheckContext: Sendable {
    public var testCase: ConformanceCase
    public var journal: [JournalEntry]
    /// Real arrival times of the key's API requests, in arrival order: (method, path, seconds since start).
    public var arrivals: [(method: String, path: String, seconds: Double)]
    public var report: JSONValue?
    public var engine: Engine
    public var apiKey: String
    /// What is wrong with the driver's report when it is unusable (then `report` is nil).
    public var reportProblem: String?
    public var exitCode: Int32?

    var creates: [JournalEntry] { journal.filter { $0.route == "interactions.create" } }
}

/// The verdict of one check.
public struct CheckResult: Sendable {
    public enum Outcome: String, Sendable { case passed, failed }
    public var spec: CheckSpec
    public var outcome: Outcome
    /// What was wrong (empty when passed).
    public var message: String
    /// The journal requests that broke the expectation, one line each.
    public var evidence: [String]
    public var hint: String?
}

enum Checks {
    static func describe(_ e: JournalEntry) -> String {
        var s = "#\(e.sequence) \(e.method) \(e.path)"
        let query = e.query.keys.sorted().map { "\($0)=\(e.query[$0]!)" }.joined(separator: "&")
        if !query.isEmpty { s += "?" + query }
        s += " → \(e.status)"
        if let st = e.interactionStatus { s += " (\(st))" }
        if let v = e.violation { s += " violation: \(v)" }
        return s
    }

    static func evaluate(_ spec: CheckSpec, _ ctx: CheckContext) async -> CheckResult {
        func pass() -> CheckResult { CheckResult(spec: spec, outcome: .passed, message: "", evidence: [], hint: nil) }
        func fail(_ message: String, _ evidence: [JournalEntry] = [], hint: String? = nil) -> CheckResult {
            CheckResult(spec: spec, outcome: .failed, message: message, evidence: evidence.map(describe), hint: hint)
        }
        let w = spec.parameters
        let exitNote = ctx.exitCode.flatMap { $0 == 0 ? nil : " The driver exited with code \($0)." } ?? ""
        switch CheckKind(rawValue: spec.kind) ?? .driverOK {
        case .driverOK:
            guard let report = ctx.report else {
                return fail(ctx.reportProblem ?? "The driver wrote no report to $UNDERSTUDY_REPORT.")
            }
            let status = report["status"]?.stringValue ?? "?"
            if status != "ok" {
                let detail = report["error"].map { " Its error: \($0.jsonString)." } ?? ""
                let notes = report["notes"]?.stringValue == nil ? "" : " Its notes are shown below the checks."
                return fail("The driver reported status '\(status)' instead of 'ok'.\(detail)\(exitNote)\(notes)",
                    hint: "'error' means the driver or the client hit something the case did not expect (an exception, an API error without expect_error); fix that, and report 'ok' when the case ran as asked.")
            }
            return pass()

        case .requestsValid:
            var bad: [(JournalEntry, String)] = []
            for e in ctx.creates {
                let headers = Dictionary(e.headers.map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
                if headers["x-goog-api-key"] == nil && e.query["key"] == nil {
                    bad.append((e, "no x-goog-api-key header (nor ?key=)"))
                } else if !(headers["content-type"] ?? "").lowercased().hasPrefix("application/json") {
                    bad.append((e, "Content-Type is '\(headers["content-type"] ?? "absent")', not application/json"))
                } else if let body = e.body {
                    do { _ = try LegacyRequestDecoder.decode(json: body) } catch { bad.append((e, "body rejected: \(error.message)")) }
                } else {
                    bad.append((e, "the body is not JSON"))
                }
            }
            if let (_, why) = bad.first {
                return fail("A create request is not well-formed: \(why).", bad.map(\.0), hint: "Send JSON bodies with only the fields the API defines, the key in x-goog-api-key, and Content-Type: application/json.")
            }
            return pass()

        case .requestCount:
            let route = w["route"]?.stringValue ?? "create"
            let matching = entries(ctx.journal, route: route)
            let n = matching.count
            let lo = Int(w["min"]?.intValue ?? 0), hi = Int(w["max"]?.intValue ?? Int64.max)
            if n < lo || n > hi {
                let range = hi == Int(Int64.max) ? "at least \(lo)" : (lo == hi ? "exactly \(lo)" : "between \(lo) and \(hi)")
                return fail("Expected \(range) \(route) request(s), the client sent \(n).", matching, hint: w["hint"]?.stringValue)
            }
            return pass()

        case .textEquals:
            let want = w["text"]?.stringValue ?? ""
            let got = ctx.report?["text"]?.stringValue
            guard got == want else {
                return fail("The client assembled \(got.map { "\"\($0)\"" } ?? "no text"); the scripted text is \"\(want)\".",
                    hint: "Concatenate the text of every content.delta (delta.type == \"text\") in order, or read outputs[-1].text.")
            }
            return pass()

        case .chained:
            let ok = ctx.creates.filter { (200..<300).contains($0.status) }
            var lastOK: String?
            var broken: [JournalEntry] = []
            for e in ctx.creates {
                if let expected = lastOK, e.body?["previous_interaction_id"]?.stringValue != expected { broken.append(e) }
                if (200..<300).contains(e.status) { lastOK = e.interactionID }
            }
            if ok.count < 2 { return fail("Expected at least two successful creates in a chain, got \(ok.count).", ctx.creates) }
            if !broken.isEmpty {
                return fail("A follow-up create does not name the previous interaction's id in previous_interaction_id.", broken,
                    hint: "Pass previous_interaction_id=<id of the last interaction> on every turn after the first.")
            }
            return pass()

        case .noViolations:
            let violating = ctx.journal.filter { $0.violation != nil }
            if !violating.isEmpty {
                return fail("The client's follow-up departed from what the API expects: \(violating[0].violation!)", violating)
            }
            if let last = ctx.creates.last, !(200..<300).contains(last.status) {
                return fail("The last create failed with HTTP \(last.status): \(last.errorMessage ?? "")", [last])
            }
            return pass()

        case .resumed:
            let after = w["after"]?.stringValue ?? ""
            let streams = ctx.journal.filter { $0.route == "interactions.get" && $0.query["stream"] == "true" }
            if streams.contains(where: { $0.query["last_event_id"] == after }) { return pass() }
            return fail(
                streams.isEmpty ? "The client did not resume the cut stream (no GET ?stream=true)." : "The client resumed, but not from the last event it received (\(after)).",
                streams + ctx.creates,
                hint: "Remember each event's event_id; after a broken stream, GET /v1beta/interactions/{id}?stream=true&last_event_id=<last id>.")

        case .stopsPolling:
            let polls = ctx.journal.filter { $0.route == "interactions.get" && $0.query["stream"] != "true" }
            if let firstTerminal = polls.firstIndex(where: { ["completed", "failed", "cancelled", "requires_action", "incomplete"].contains($0.interactionStatus ?? "") }) {
                let extra = Array(polls[(firstTerminal + 1)...])
                if !extra.isEmpty {
                    return fail("The client kept polling after \(polls[firstTerminal].interactionStatus!) (a terminal status).", [polls[firstTerminal]] + extra,
                        hint: "Stop the polling loop at completed, failed, cancelled (and requires_action).")
                }
            } else {
                return fail("The client stopped before seeing a terminal status (\(polls.count) poll(s)).", polls, hint: "Poll GET /v1beta/interactions/{id} until the status is terminal.")
            }
            if let max = w["max"]?.intValue, polls.count > Int(max) {
                return fail("The client polled \(polls.count) times; at most \(max) are needed.", polls)
            }
            return pass()

        case .pollInterval:
            let minimum = Double(w["min_ms"]?.intValue ?? 100) / 1000
            let times = ctx.arrivals.filter { $0.method == "GET" && $0.path.contains("/interactions/") }.map(\.seconds)
            let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
            if let smallest = gaps.min(), smallest < minimum {
                return fail(String(format: "Polls came %.0f ms apart; pace polling (at least %.0f ms).", smallest * 1000, minimum * 1000),
                    hint: "Sleep between polls, e.g. time.sleep(…) as the guide's loop does.")
            }
            return pass()

        case .retryDelay:
            let minimum = Double(w["min_ms"]?.intValue ?? 0) / 1000
            let statuses = Set((w["statuses"]?.arrayValue ?? [429]).compactMap { $0.intValue.map(Int.init) })
            let creates = ctx.creates
            let times = ctx.arrivals.filter { $0.method == "POST" && $0.path.hasSuffix("/interactions") }.map(\.seconds)
            guard times.count == creates.count else { return pass() }
            for i in 0..<max(0, creates.count - 1) where statuses.contains(creates[i].status) {
                let gap = times[i + 1] - times[i]
                if gap < minimum {
                    return fail(String(format: "After HTTP %d the client retried %.0f ms later; the answer asked it to wait %.0f ms (retry-after).", creates[i].status, gap * 1000, minimum * 1000),
                        [creates[i], creates[i + 1]], hint: "Honour retry-after / retry-after-ms before retrying, and back off.")
                }
            }
            return pass()

        case .finalStatus:
            let want = w["status"]?.stringValue ?? "completed"
            guard let id = ctx.creates.last(where: { $0.interactionID != nil && (200..<300).contains($0.status) })?.interactionID,
                let record = try? await ctx.engine.store.load(tenant: ctx.apiKey, id: id)
            else { return fail("No interaction was created.", ctx.creates) }
            if record.status.rawValue != want {
                return fail("The interaction ended \(record.status.rawValue), expected \(want).", ctx.journal.filter { $0.interactionID == id })
            }
            return pass()

        case .statelessReplay:
            let encoder = LegacyEncoder()
            var outputsByID: [String: JSONValue] = [:]
            for e in ctx.creates where (200..<300).contains(e.status) {
                if let id = e.interactionID, let r = try? await ctx.engine.store.load(tenant: ctx.apiKey, id: id) {
                    outputsByID[id] = encoder.interaction(r)["outputs"]
                }
            }
            for e in ctx.creates.dropFirst() {
                for turn in e.body?["input"]?.arrayValue ?? [] where turn["role"]?.stringValue == "model" {
                    if let content = turn["content"], outputsByID.values.contains(content) { return pass() }
                }
            }
            return fail("No later request carried an earlier answer's outputs back unchanged as a model turn.", ctx.creates,
                hint: "In stateless mode append {\"role\": \"model\", \"content\": interaction.outputs} as received, thought blocks and signatures included.")

        case .noChainAfterUnstored:
            let unstored = Set(ctx.creates.filter { $0.body?["store"]?.boolValue == false }.compactMap(\.interactionID))
            let offending = ctx.creates.filter { e in (e.body?["previous_interaction_id"]?.stringValue).map(unstored.contains) ?? false }
            if !offending.isEmpty {
                return fail("The client chained onto an interaction created with store=false (it is not kept).", offending,
                    hint: "With store=false, continue statelessly: send the history yourself.")
            }
            return pass()

        case .errorReported:
            let want = Int(w["status"]?.intValue ?? 400)
            let error = ctx.report?["error"]
            let got = error?["status_code"]?.intValue.map(Int.init)
            if got != want {
                return fail("The client reported \(got.map { "HTTP \($0)" } ?? "no error"); the server answered HTTP \(want).",
                    hint: "Surface API errors with their HTTP status and message (the SDK raises APIStatusError subclasses).")
            }
            if let needle = w["message_contains"]?.stringValue, !(error?["message"]?.stringValue ?? "").contains(needle) {
                return fail("The reported error message does not contain the server's message ('\(needle)').")
            }
            return pass()
        }
    }

    static func entries(_ journal: [JournalEntry], route: String) -> [JournalEntry] {
        switch route {
        case "create": return journal.filter { $0.route == "interactions.create" }
        case "get": return journal.filter { $0.route == "interactions.get" && $0.method == "GET" && $0.query["stream"] != "true" }
        case "stream": return journal.filter { $0.route == "interactions.get" && $0.query["stream"] == "true" }
        case "cancel": return journal.filter { $0.route == "interactions.cancel" }
        case "delete": return journal.filter { $0.method == "DELETE" }
        default: return journal
        }
    }
}
