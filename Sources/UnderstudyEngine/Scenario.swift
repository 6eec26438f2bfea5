import UnderstudyModel

/// A scripted behaviour: which requests it applies to, what it answers (one reply, or a conversation of
/// steps addressed by their place in the chain), and which faults it injects.
public struct Scenario: Sendable {
    public var name: String
    public var description: String?
    /// Where it was loaded from, for listings and error messages.
    public var source: String
    public var match: Matcher
    /// Step 1 answers a matching request; step n answers the continuation of step n-1's interaction.
    public var steps: [Step]
    public var faults: [Fault]
    /// When set, the scenario applies only to requests made with this API key.
    public var tenant: String?
    /// Never matches by itself when loaded for everyone: it must be selected with the
    /// `x-understudy-scenario` header or loaded for one API key.
    public var explicit = false
    /// The scenario as written (after validation), for `GET /_understudy/scenarios/NAME`.
    public var definition: JSONValue = .object([:])
    /// Line and column of the scenario's `name` in its source (0 when not loaded from text).
    public var line = 0
    public var column = 0

    /// Whether some step scripts an answer (a faults-only scenario has none).
    public var hasReply: Bool { !steps.isEmpty }

    /// Names of the holds its background timelines wait on, in order of first use.
    public var holds: [String] {
        var seen: [String] = []
        for step in steps {
            for wait in step.reply.timeline ?? [] {
                if case .hold(let name) = wait.trigger, !seen.contains(name) { seen.append(name) }
            }
        }
        return seen
    }

    /// Conditions on a create request. Every condition given must hold.
    public struct Matcher: Sendable {
        /// Exact name or a glob with `*`.
        public var model: String?
        public var agent: String?
        /// Case-insensitive substring of the last user text.
        public var inputContains: String?
        /// Regular expression searched in the last user text.
        public var inputMatches: String?
        /// Function names (or built-in tool types) that must all be declared.
        public var tools: [String] = []
        public var hasPrevious: Bool?
        /// Request headers (names lower-case) with exact values.
        public var headers: [String: String] = [:]
        public var stream: Bool?
        public var background: Bool?
        /// Only the n-th request (1-based) that satisfies the other conditions.
        public var nth: Int?

        public init() {}

        public var isEmpty: Bool {
            model == nil && agent == nil && inputContains == nil && inputMatches == nil && tools.isEmpty
                && hasPrevious == nil && headers.isEmpty && stream == nil && background == nil && nth == nil
        }
    }

    /// What the client must send to continue a conversation; a departure is a 400 and a journaled violation.
    public struct Expectation: Sendable {
        /// Call ids (templates allowed) that the request's function results must answer, all of them.
        public var functionResults: [String] = []
        public var inputContains: String?
        public var inputMatches: String?
        /// Tools the client must declare again (settings are not inherited through the chain).
        public var tools: [String] = []
        public init() {}
    }

    public struct Step: Sendable {
        /// Extra conditions for this step (on top of the scenario's, which apply to step 1 only).
        public var match: Matcher?
        public var expect: Expectation?
        public var reply: ReplyScript
        public init(reply: ReplyScript) { self.reply = reply }
    }

    /// A scripted answer. Strings in `outputs` may contain `{{…}}` templates.
    public struct ReplyScript: Sendable {
        public var outputs: [JSONValue] = []
        public var status: InteractionStatus?
        public var usage: JSONValue?
        public var error: InteractionFailure?
        public var chunkSize: Int?
        public var delayMillis: Int?
        public var streamFaults = StreamFaults()
        /// Background waits: each is an `in_progress` period that ends on its trigger.
        public var timeline: [PendingRun.Step]?
        /// Retention of this interaction, overriding the tier's (e.g. 0 s: gone for the next request).
        public var retentionSeconds: Int64?
        public init() {}
    }

    /// An HTTP-level fault injected before a request is handled.
    public struct Fault: Sendable {
        public enum Route: String, Sendable, CaseIterable {
            case create, get, stream, cancel, delete, any
        }
        public var on: Route = .create
        /// Inject on this many calls (after `skip`), then stop; nil means every call.
        public var times: Int?
        /// Let this many matching calls through first.
        public var skip = 0
        public var error: APIError?
        public var latencyMillis = 0
        public var dropConnection = false
        public init() {}
    }
}

/// One condition of a matcher, judged against one request: whether it holds, why not, and how close
/// the request came (0 far … 1 satisfied), for ranking near misses in strict mode.
struct Criterion: Sendable {
    var satisfied: Bool
    var reason: String
    var closeness: Double

    static func met(_ what: String) -> Criterion { Criterion(satisfied: true, reason: what, closeness: 1) }
    static func unmet(_ why: String, closeness: Double = 0) -> Criterion { Criterion(satisfied: false, reason: why, closeness: closeness) }
}

extension Scenario.Matcher {
    /// Every condition given, judged against the request. `text` is the text of the request's current
    /// turn (see `ScenarioBook.turnText`), never of earlier turns of a chain.
    func evaluate(_ request: CreateRequest, text: String, headers: [String: String]) -> [Criterion] {
        var out: [Criterion] = []
        switch request.target {
        case .model(let m):
            if let want = model {
                out.append(Glob.matches(want, m) ? .met("model") : .unmet("model is '\(m)', scenario wants '\(want)'", closeness: Closeness.prefix(want, m)))
            }
            if let want = agent { out.append(.unmet("request names model '\(m)', scenario wants agent '\(want)'")) }
        case .agent(let a):
            if let want = agent {
                out.append(Glob.matches(want, a) ? .met("agent") : .unmet("agent is '\(a)', scenario wants '\(want)'", closeness: Closeness.prefix(want, a)))
            }
            if let want = model { out.append(.unmet("request names agent '\(a)', scenario wants model '\(want)'")) }
        }
        if let s = inputContains {
            out.append(text.lowercased().contains(s.lowercased())
                ? .met("input_contains")
                : .unmet("input does not contain '\(s)' (input: \(Closeness.quote(text)))", closeness: Closeness.commonPiece(s, text)))
        }
        if let pattern = inputMatches {
            if let regex = try? Regex(pattern) {
                out.append((try? regex.firstMatch(in: text)) != nil
                    ? .met("input_matches")
                    : .unmet("input does not match /\(pattern)/ (input: \(Closeness.quote(text)))", closeness: Closeness.regexPrefix(pattern, text)))
            } else {
                out.append(.unmet("pattern /\(pattern)/ is not a valid regular expression"))
            }
        }
        if !tools.isEmpty {
            let declared = Set(request.tools.map { $0.name ?? $0.type })
            let missing = tools.filter { !declared.contains($0) }
            out.append(missing.isEmpty
                ? .met("tools")
                : .unmet("tools \(missing.joined(separator: ", ")) not declared", closeness: Double(tools.count - missing.count) / Double(tools.count)))
        }
        if let want = hasPrevious {
            out.append(want == (request.previousInteractionID != nil) ? .met("has_previous") : .unmet(want ? "no previous_interaction_id" : "has a previous_interaction_id"))
        }
        for (name, value) in self.headers.sorted(by: { $0.key < $1.key }) {
            let sent = headers[name.lowercased()]
            out.append(sent == value ? .met("header \(name)") : .unmet("header \(name) is \(sent.map { "'\($0)'" } ?? "absent"), scenario wants '\(value)'"))
        }
        if let want = stream { out.append(want == request.stream ? .met("stream") : .unmet("stream is \(request.stream)")) }
        if let want = background { out.append(want == request.background ? .met("background") : .unmet("background is \(request.background)")) }
        return out
    }

    /// Why this matcher rejects a request, one reason per failed condition (empty when it matches,
    /// `nth` aside).
    func mismatches(_ request: CreateRequest, text: String, headers: [String: String]) -> [String] {
        evaluate(request, text: text, headers: headers).filter { !$0.satisfied }.map(\.reason)
    }
}

/// How close a text came to a condition it failed, for ranking near misses.
enum Closeness {
    /// Share of `needle` covered by the longest piece of it that occurs in `text` (case-insensitive).
    static func commonPiece(_ needle: String, _ text: String) -> Double {
        let a = Array(needle.lowercased()), b = Array(text.lowercased())
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var best = 0
        var previous = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            var row = [Int](repeating: 0, count: b.count + 1)
            for j in 1...b.count where a[i - 1] == b[j - 1] {
                row[j] = previous[j - 1] + 1
                best = max(best, row[j])
            }
            previous = row
        }
        return Double(best) / Double(a.count)
    }

    /// Share of `pattern` whose longest leading part (that is a valid expression) finds a match.
    static func regexPrefix(_ pattern: String, _ text: String) -> Double {
        let chars = Array(pattern)
        guard !chars.isEmpty else { return 0 }
        var n = chars.count - 1
        while n > 0 {
            if let r = try? Regex(String(chars[..<n])), (try? r.firstMatch(in: text)) != nil { return Double(n) / Double(chars.count) }
            n -= 1
        }
        return 0
    }

    /// Share of `want` (up to its first `*`) that `got` starts with.
    static func prefix(_ want: String, _ got: String) -> Double {
        let w = Array(want.prefix { $0 != "*" }), g = Array(got)
        guard !w.isEmpty else { return 0 }
        var n = 0
        while n < w.count, n < g.count, w[n] == g[n] { n += 1 }
        return Double(n) / Double(w.count)
    }

    /// The received text for a message, quoted and cut to 80 characters.
    static func quote(_ text: String, limit: Int = 80) -> String {
        if text.isEmpty { return "no text" }
        let clipped = text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
        return "\"" + clipped.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// `*` globs for model names (`gemini-3*`).
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard pattern.contains("*") else { return pattern == text }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(text)
        for (i, part) in parts.enumerated() {
            if part.isEmpty { continue }
            if i == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if i == parts.count - 1 {
                return rest.hasSuffix(part)
            } else {
                guard let r = rest.range(of: part) else { return false }
                rest = rest[r.upperBound...]
            }
        }
        return true
    }
}
