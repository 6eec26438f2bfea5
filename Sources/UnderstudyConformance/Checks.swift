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
    /// The faults the case's scenario scripts (their status and response headers, e.g. retry-after).
    public var faults: [Scenario.Fault] = []
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
        let w = spec.parameters
        /// A failure; the suite's `with: {hint: …}` replaces the kind's generic hint.
        func fail(_ message: String, _ evidence: [JournalEntry] = [], hint: String? = nil) -> CheckResult {
            var seen = Set<Int64>()
            let ordered = evidence.sorted { $0.sequence < $1.sequence }.filter { seen.insert($0.sequence).inserted }
            return CheckResult(spec: spec, outcome: .failed, message: message, evidence: ordered.map(describe), hint: w["hint"]?.stringValue ?? hint)
        }
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
                if ctx.testCase.params["expect_error"]?.boolValue == true, report["error"] != nil {
                    return fail("The driver reported status '\(status)' for the API error this case expects.\(detail)\(exitNote)\(notes)",
                        hint: "With expect_error: true the API error is the expected outcome: report status 'ok', with the error's status_code and message under 'error'.")
                }
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
                let message = "Expected \(range) \(route) request(s), the client sent \(n)."
                if n == 0 && ctx.journal.isEmpty {
                    // Nothing reached the server: the suite's hint (about retries, turns, …) would not fit.
                    return CheckResult(spec: spec, outcome: .failed, message: message + " No request of any kind reached the server.", evidence: [],
                        hint: "Point the client at GOOGLE_GEMINI_BASE_URL with the key GEMINI_API_KEY, and check that the driver gets as far as calling it (see its output and notes).")
                }
                return fail(message, matching)
            }
            return pass()

        case .textEquals:
            let want = w["text"]?.stringValue ?? ""
            let got = ctx.report?["text"]?.stringValue
            guard got == want else {
                let action = ctx.testCase.params["action"]?.stringValue ?? ""
                let message = got.map { "The client assembled \"\($0)\"; the scripted text is \"\(want)\"." }
                    ?? (ctx.report == nil ? "No text to compare (no usable report); the scripted text is \"\(want)\"."
                        : "The report has no 'text'; the scripted text is \"\(want)\".")
                let hint: String
                switch action {
                case "stream":
                    hint = "Concatenate delta.text of every content.delta event whose delta.type is \"text\", in order; skip events of other or unknown types."
                case "stream_resume":
                    hint = "Concatenate delta.text of the text content.delta events of the first stream and then of the resumed one (which starts after last_event_id), so nothing is lost or repeated."
                default:
                    hint = "Report in 'text' the text of every output of the final interaction whose type is \"text\", joined in order with no separator."
                }
                return fail(message, hint: got == nil && ctx.report != nil ? "Put the text you assembled in the report's 'text' field. " + hint : hint)
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
            if ok.count < 2 {
                return fail("Expected at least two successful creates in a chain, got \(ok.count).", ctx.creates,
                    hint: "Send one create per entry of 'inputs'; each must succeed before the next is sent.")
            }
            if !broken.isEmpty {
                return fail("A follow-up create does not name the previous interaction's id in previous_interaction_id.", broken,
                    hint: "Pass previous_interaction_id=<id of the last interaction> on every turn after the first.")
            }
            return pass()

        case .noViolations:
            let violating = ctx.journal.filter { $0.violation != nil }
            if !violating.isEmpty {
                return fail("The client's follow-up departed from what the API expects: \(violating[0].violation!)", violating,
                    hint: "Change the follow-up request as the server's message says.")
            }
            if let last = ctx.creates.last, !(200..<300).contains(last.status) {
                return fail("The last create failed with HTTP \(last.status): \(last.errorMessage ?? "")", [last],
                    hint: "The server's message says what it refused in that request.")
            }
            if ctx.creates.isEmpty {
                return fail("The client sent no create request.", hint: "Create the interaction as the case's action asks.")
            }
            return pass()

        case .resumed:
            let after = w["after"]?.stringValue ?? ""
            let streams = ctx.journal.filter { $0.route == "interactions.get" && $0.query["stream"] == "true" }
            if streams.contains(where: { $0.query["last_event_id"] == after }) { return pass() }
            let hint = "Remember the event_id of every event; when the stream breaks before interaction.complete, GET /v1beta/interactions/{id}?stream=true&last_event_id=<the last event_id received>."
            if streams.isEmpty {
                return fail("The client did not resume the cut stream: no GET …?stream=true after the create's stream broke (the last event it received was \(after)).", ctx.creates, hint: hint)
            }
            let sent = streams.map { e in "request #\(e.sequence) sent last_event_id=\(e.query["last_event_id"] ?? "none")" }.joined(separator: ", ")
            let replay = streams.contains { $0.query["last_event_id"] == nil } ? " Without last_event_id the stream replays from the first event, so text arrives twice." : ""
            return fail("The client resumed from the wrong place: expected last_event_id=\(after) (the last event received before the cut); \(sent).\(replay)",
                streams + ctx.creates, hint: hint)

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
            if let smallest = gaps.min(), smallest < minimum, let at = gaps.firstIndex(of: smallest) {
                let gets = ctx.journal.filter { $0.method == "GET" && $0.path.contains("/interactions/") }
                let pair = gets.count == times.count ? [gets[at], gets[at + 1]] : gets
                return fail(String(format: "Two polls came %.0f ms apart; this check wants at least %.0f ms between polls.", smallest * 1000, minimum * 1000),
                    pair,
                    hint: "Sleep poll_interval seconds (from UNDERSTUDY_CASE_PARAMS) between polls, as the guide's polling loop does.")
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
                    let got = String(format: "After HTTP %d (request #%d) the client retried %.0f ms later (request #%d).", creates[i].status, creates[i].sequence, gap * 1000, creates[i + 1].sequence)
                    let headers = ctx.faults.first { $0.error?.httpStatus == creates[i].status }?.error?.headers ?? [:]
                    var asked: String
                    if let ms = headers["retry-after-ms"], let value = Double(ms) {
                        asked = " The \(creates[i].status) answer carried the header retry-after-ms: \(ms) (wait \(Report.seconds(value)) ms)"
                        if let s = headers["retry-after"] { asked += " and retry-after: \(s)" }
                        asked += String(format: "; this check accepts a retry from %.0f ms on (%.0f ms tolerance).", minimum * 1000, max(0, value - minimum * 1000))
                    } else if let s = headers["retry-after"], let value = Double(s) {
                        asked = " The \(creates[i].status) answer carried the header retry-after: \(s) (seconds: wait \(Report.seconds(value * 1000)) ms)"
                        asked += String(format: "; this check accepts a retry from %.0f ms on (%.0f ms tolerance).", minimum * 1000, max(0, value * 1000 - minimum * 1000))
                    } else {
                        asked = String(format: " This check requires at least %.0f ms between them.", minimum * 1000)
                    }
                    return fail(got + asked, [creates[i], creates[i + 1]],
                        hint: "Before retrying, wait the delay the error answer gives: retry-after-ms (milliseconds) if present, else retry-after (seconds); back off when neither is given.")
                }
            }
            return pass()

        case .finalStatus:
            let want = w["status"]?.stringValue ?? "completed"
            guard let id = ctx.creates.last(where: { $0.interactionID != nil && (200..<300).contains($0.status) })?.interactionID,
                let record = try? await ctx.engine.store.load(tenant: ctx.apiKey, id: id)
            else {
                return fail("No interaction was created (no create succeeded), so none could end \(want).", ctx.creates,
                    hint: "Create the interaction as the case's action asks (background: true for the background actions).")
            }
            if record.status.rawValue != want {
                let hint = want == "cancelled" ? "Cancel with POST /v1beta/interactions/{id}/cancel while the interaction is still running." : nil
                return fail("The interaction's status on the server is \(record.status.rawValue), expected \(want).", ctx.journal.filter { $0.interactionID == id }, hint: hint)
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
                    ctx.creates.filter { $0.status == want }.suffix(1),
                    hint: "Surface API errors with their HTTP status and message, and report them as {\"status_code\": …, \"message\": …} under 'error' (the SDK raises APIStatusError subclasses).")
            }
            if let needle = w["message_contains"]?.stringValue, !(error?["message"]?.stringValue ?? "").contains(needle) {
                return fail("The reported error message does not contain the server's message ('\(needle)'); the driver reported \(error?["message"]?.stringValue.map { "\"\($0)\"" } ?? "no message").",
                    hint: "Put the API error's message (error.message of the answer's JSON body) in the report's error.message.")
            }
            return pass()
        }
    }

    /// Kinds whose failure is usually the symptom of another failure in the same case.
    static let outcomeKinds: Set<String> = [CheckKind.textEquals.rawValue, CheckKind.errorReported.rawValue, CheckKind.finalStatus.rawValue]

    /// Marks knock-on failures: an outcome check (text, error, final status) that failed together with
    /// a behaviour check (chaining, resuming, call ids, retries, …) says so and points at it instead of
    /// giving a generic hint; so does one that failed only because the driver reported an error. A
    /// failed driver_ok points at the behaviour check that explains its error.
    static func linkConsequences(_ checks: [CheckResult], _ ctx: CheckContext) -> [CheckResult] {
        let failed = checks.enumerated().filter { $0.element.outcome == .failed }
        let driverOK = failed.first { $0.element.spec.kind == CheckKind.driverOK.rawValue }
        let causes = failed.filter { !outcomeKinds.contains($0.element.spec.kind) && $0.element.spec.kind != CheckKind.driverOK.rawValue }
        func named(_ items: [(offset: Int, element: CheckResult)], from index: Int) -> String {
            items.map { "\($0.element.spec.id) (\($0.offset < index ? "above" : "below"))" }.joined(separator: ", ")
        }
        var out = checks
        for (i, c) in checks.enumerated() where c.outcome == .failed {
            if outcomeKinds.contains(c.spec.kind) {
                if let d = driverOK, ctx.report == nil {
                    out[i].message += " This follows from the unusable report (\(named([d], from: i)))."
                    out[i].hint = "Fix the report as \(d.element.spec.id) says first."
                } else if ctx.report == nil, ctx.reportProblem != nil {
                    out[i].message += " This follows from the unusable report (see the note above)."
                    out[i].hint = "Fix the report as the note above says first."
                } else if !causes.isEmpty {
                    out[i].message += " This probably follows from \(named(causes, from: i)) failing."
                    out[i].hint = "Fix \(causes.map(\.element.spec.id).joined(separator: ", ")) first; this check should then pass."
                } else if let d = driverOK, ctx.report?["status"]?.stringValue != "ok" {
                    out[i].message += " This follows from the driver's failure (\(named([d], from: i)))."
                    out[i].hint = "Fix what \(d.element.spec.id) shows first."
                }
            } else if c.spec.kind == CheckKind.driverOK.rawValue, !causes.isEmpty, ctx.report != nil {
                out[i].hint = "The driver's error probably follows from \(named(causes, from: i)); fix that first."
            }
        }
        return out
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
