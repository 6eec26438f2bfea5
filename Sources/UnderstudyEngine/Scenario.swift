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

extension Scenario.Matcher {
    /// Why this matcher rejects a request, one reason per failed condition (empty when it matches,
    /// `nth` aside).
    func mismatches(_ request: CreateRequest, lastUserText: String, headers: [String: String]) -> [String] {
        var reasons: [String] = []
        switch request.target {
        case .model(let m):
            if let want = model, !Glob.matches(want, m) { reasons.append("model is '\(m)', scenario wants '\(want)'") }
            if let want = agent { reasons.append("request names model '\(m)', scenario wants agent '\(want)'") }
        case .agent(let a):
            if let want = agent, !Glob.matches(want, a) { reasons.append("agent is '\(a)', scenario wants '\(want)'") }
            if let want = model { reasons.append("request names agent '\(a)', scenario wants model '\(want)'") }
        }
        if let s = inputContains, !lastUserText.lowercased().contains(s.lowercased()) {
            reasons.append("input does not contain '\(s)'")
        }
        if let pattern = inputMatches {
            if let regex = try? Regex(pattern) {
                if (try? regex.firstMatch(in: lastUserText)) == nil { reasons.append("input does not match /\(pattern)/") }
            } else {
                reasons.append("pattern /\(pattern)/ is not a valid regular expression")
            }
        }
        let declared = Set(request.tools.map { $0.name ?? $0.type })
        let missing = tools.filter { !declared.contains($0) }
        if !missing.isEmpty { reasons.append("tools \(missing.joined(separator: ", ")) not declared") }
        if let want = hasPrevious, want != (request.previousInteractionID != nil) {
            reasons.append(want ? "no previous_interaction_id" : "has a previous_interaction_id")
        }
        for (name, value) in self.headers.sorted(by: { $0.key < $1.key }) {
            let sent = headers[name.lowercased()]
            if sent != value { reasons.append("header \(name) is \(sent.map { "'\($0)'" } ?? "absent"), scenario wants '\(value)'") }
        }
        if let want = stream, want != request.stream { reasons.append("stream is \(request.stream)") }
        if let want = background, want != request.background { reasons.append("background is \(request.background)") }
        return reasons
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
