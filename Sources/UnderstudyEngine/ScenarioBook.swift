import Foundation
import Synchronization
import UnderstudyModel

/// The loaded scenarios, and everything that decides which one answers a request.
///
/// Matching rules (see scenarios/README.md): a request that continues a scripted conversation (its
/// `previous_interaction_id`, or a function call id in its history, was issued by a step) is answered by
/// that conversation's next step; otherwise the scenarios are tried in load order (those loaded for the
/// request's API key first) and the first whose `match` holds answers with its first step. The request
/// header `x-understudy-scenario: NAME` narrows the candidates to one scenario. Unmatched requests go to
/// the default responder, or, with strict scenarios, get an error naming the nearest misses.
public final class ScenarioBook: Sendable {
    public static let selectionHeader = "x-understudy-scenario"
    public static let violationType = "type.understudy.dev/ScenarioViolation"

    public static let strictHeader = "x-understudy-strict"

    struct State {
        var scenarios: [Scenario] = []
        /// Strictness for every key (`--strict-scenarios`, or the admin call without a tenant).
        var strict = false
        /// Strictness set for one key, overriding the global setting.
        var strictByTenant: [String: Bool] = [:]
    }
    let state = Mutex(State())
    public let loader: ScenarioLoader

    public init(loader: ScenarioLoader = ScenarioLoader()) {
        self.loader = loader
    }

    // MARK: Managing

    /// Whether unmatched create requests of every key are refused instead of answered by the default
    /// responder (keys with their own setting aside).
    public var strict: Bool {
        get { state.withLock { $0.strict } }
        set { state.withLock { $0.strict = newValue } }
    }

    /// Sets strictness for one key (`tenant`), or for every key without a setting of its own (nil).
    public func setStrict(_ on: Bool, tenant: String?) {
        state.withLock { s in
            if let tenant { s.strictByTenant[tenant] = on } else { s.strict = on }
        }
    }

    /// Strictness of a key before any request header: its own setting, else the global one.
    public func isStrict(tenant: String) -> Bool {
        state.withLock { $0.strictByTenant[tenant] ?? $0.strict }
    }

    /// Strictness for one request: the `x-understudy-strict` header (true or false) wins over the key's
    /// setting, which wins over the global one.
    func isStrict(tenant: String, headers: [String: String]) throws(APIError) -> Bool {
        if let raw = headers[Self.strictHeader] {
            switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": return true
            case "false": return false
            default:
                throw APIError.invalidArgument("Invalid value at header '\(Self.strictHeader)', \"\(raw)\": expected true or false.", field: Self.strictHeader)
            }
        }
        return isStrict(tenant: tenant)
    }

    /// Adds scenarios; one with the name (and tenant) of a loaded one replaces it.
    public func add(_ scenarios: [Scenario], tenant: String? = nil) {
        state.withLock { s in
            for var scenario in scenarios {
                scenario.tenant = tenant
                if let i = s.scenarios.firstIndex(where: { $0.name == scenario.name && $0.tenant == tenant }) {
                    s.scenarios[i] = scenario
                } else {
                    s.scenarios.append(scenario)
                }
            }
        }
    }

    /// Parses and adds scenarios from text (YAML or JSON); load problems become one 400 listing all.
    public func load(text: String, source: String, tenant: String? = nil) throws(APIError) -> [String] {
        do {
            let scenarios = try loader.load(text: text, source: source)
            add(scenarios, tenant: tenant)
            return scenarios.map(\.name)
        } catch {
            var e = APIError.invalidArgument("The scenarios could not be loaded (\(error.problems.count) problem(s)):\n" + error.description, field: "scenarios")
            e.details = error.problems.map {
                ["@type": "type.understudy.dev/ScenarioProblem", "file": .string($0.file), "line": .int(Int64($0.line)),
                 "column": .int(Int64($0.column)), "message": .string($0.message), "fix": $0.fix.map(JSONValue.string) ?? .null]
            }
            throw e
        }
    }

    /// The loaded scenarios: all of them, or (with `tenant`) those a request of that key may use, in the
    /// order they are tried (the key's own first).
    public func summaries(tenant: String? = nil) -> [JSONValue] {
        let all = state.withLock { $0.scenarios }
        let listed = tenant.map { t in all.filter { $0.tenant == t } + all.filter { $0.tenant == nil } } ?? all
        return listed.map(Self.summary)
    }

    static func summary(_ sc: Scenario) -> JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(sc.name), "source": .string(sc.source),
            "steps": .int(Int64(sc.steps.count)), "faults": .int(Int64(sc.faults.count)),
            "explicit": .bool(sc.explicit), "scope": .string(sc.tenant == nil ? "global" : "tenant"),
        ]
        if let d = sc.description { o["description"] = .string(d) }
        if let t = sc.tenant { o["tenant"] = .string(t) }
        if !sc.holds.isEmpty { o["holds"] = .array(sc.holds.map { .string($0) }) }
        return .object(o)
    }

    /// The scenario called `name` that a request of `tenant` would see (the key's own before a global
    /// one); without a tenant, the global one, else the first loaded for any key.
    public func scenario(named name: String, tenant: String?) -> Scenario? {
        let all = state.withLock { $0.scenarios }.filter { $0.name == name }
        if let tenant { return all.first { $0.tenant == tenant } ?? all.first { $0.tenant == nil } }
        return all.first { $0.tenant == nil } ?? all.first
    }

    /// Names of all loaded scenarios, for messages (with `tenant`, those that key may use).
    public func names(tenant: String? = nil) -> [String] {
        summaries(tenant: tenant).compactMap { $0["name"]?.stringValue }
    }

    /// Hold names declared by the scenarios a key may use (sorted).
    public func holds(visibleTo tenant: String) -> [String] {
        let all = state.withLock { $0.scenarios }
        return Set(all.filter { $0.tenant == nil || $0.tenant == tenant }.flatMap(\.holds)).sorted()
    }

    /// Hold names declared by any loaded scenario, with the keys they are loaded for (nil: every key).
    public func allHolds() -> [(String, String?)] {
        state.withLock { $0.scenarios }.flatMap { sc in sc.holds.map { ($0, sc.tenant) } }
    }

    public func removeAll(tenant: String? = nil) {
        state.withLock { s in
            if let tenant { s.scenarios.removeAll { $0.tenant == tenant } } else { s.scenarios.removeAll() }
        }
    }

    @discardableResult
    public func remove(_ name: String, tenant: String? = nil) -> Bool {
        state.withLock { s in
            let before = s.scenarios.count
            s.scenarios.removeAll { $0.name == name && (tenant == nil || $0.tenant == tenant) }
            return s.scenarios.count != before
        }
    }

    /// The scenarios a request of `tenant` may use, tenant-specific ones first, and the name the
    /// `x-understudy-scenario` header selected, if any.
    func candidates(tenant: String, headers: [String: String]) throws(APIError) -> (scenarios: [Scenario], selected: String?) {
        let all = state.withLock { $0.scenarios }
        let visible = all.filter { $0.tenant == tenant } + all.filter { $0.tenant == nil }
        if let wanted = headers[Self.selectionHeader], !wanted.isEmpty {
            guard let chosen = visible.first(where: { $0.name == wanted }) else {
                let names = visible.map(\.name)
                throw APIError.invalidArgument(
                    "The header '\(Self.selectionHeader): \(wanted)' names no loaded scenario. Loaded: \(names.isEmpty ? "none" : names.joined(separator: ", ")).",
                    field: Self.selectionHeader)
            }
            return ([chosen], wanted)
        }
        return (visible.filter { !$0.explicit || $0.tenant == tenant }, nil)
    }

    /// The text that `input_contains`, `input_matches` and `{{request.text}}` look at: the text of the
    /// request's current turn (the last user turn of its own `input`), never text of earlier turns of a
    /// chain. A turn that only answers function calls has no text.
    static func turnText(_ request: CreateRequest) -> String {
        request.input.last { $0.role == .user }?.text ?? ""
    }

    // MARK: Faults

    /// The fault to inject for this request, if a scenario scripts one. `request` is nil except for creates.
    public func fault(route: Scenario.Fault.Route, tenant: Tenant, headers: [String: String], request: CreateRequest?) throws(APIError) -> ScenarioFault? {
        let candidates = try self.candidates(tenant: tenant.key, headers: headers).scenarios
        for scenario in candidates where !scenario.faults.isEmpty {
            if let request {
                guard scenario.match.mismatches(request, text: Self.turnText(request), headers: headers).isEmpty else { continue }
            } else {
                let unmet = scenario.match.headers.contains { headers[$0.key] != $0.value }
                if unmet { continue }
            }
            for (i, fault) in scenario.faults.enumerated() where fault.on == route || fault.on == .any {
                let count = tenant.state.withLock { s -> Int in
                    let key = "fault|\(scenario.name)|\(i)"
                    s.scenarioCounters[key, default: 0] += 1
                    return s.scenarioCounters[key]!
                }
                guard count > fault.skip, fault.times.map({ count <= fault.skip + $0 }) ?? true else { continue }
                return ScenarioFault(scenario: scenario.name, fault: i + 1, delayMillis: fault.latencyMillis, dropConnection: fault.dropConnection, error: fault.error)
            }
        }
        return nil
    }

    // MARK: Replies

    func reply(to context: ResponseContext, tenant: Tenant, engine: Engine) async throws(APIError) -> Reply? {
        let strict = try isStrict(tenant: tenant.key, headers: context.headers)
        let (candidates, selected) = try self.candidates(tenant: tenant.key, headers: context.headers)
        let signatures = Self.requiresSignatures(engine.configuration.signaturePolicy, target: context.request.target)
        let text = Self.turnText(context.request)

        // 1. A continuation of a scripted conversation.
        var finished: (name: String, steps: Int)?
        if let link = continuation(of: context, tenant: tenant), let scenario = candidates.first(where: { $0.name == link.scenario }) {
            let next = link.step + 1
            if next < scenario.steps.count {
                let step = scenario.steps[next]
                if let m = step.match {
                    let reasons = m.mismatches(context.request, text: text, headers: context.headers)
                    if !reasons.isEmpty {
                        throw violation(scenario, step: next, "the request does not match step \(next + 1): " + reasons.joined(separator: "; "))
                    }
                }
                if let expect = step.expect { try check(expect, scenario: scenario, step: next, context: context, tenant: tenant, root: link.root) }
                return try build(scenario, step: next, context: context, tenant: tenant, root: link.root, signatures: signatures)
            }
            // Past the last step: the results of this scenario's own calls never start it over (that
            // would answer every function_result with the same call, forever).
            let answersCalls = context.request.input.last { $0.role == .user }?.content.contains { $0.type == "function_result" } ?? false
            if answersCalls { finished = (scenario.name, scenario.steps.count) }
        }

        // 2. The first scenario whose match holds starts a conversation.
        var misses: [NearMiss] = []
        for (order, scenario) in candidates.enumerated() where scenario.hasReply {
            if let finished, finished.name == scenario.name {
                misses.append(NearMiss(scenario: scenario.name, order: order, criteria: [.unmet(
                    "the request answers the function calls of this scenario's last step (step \(finished.steps) of \(finished.steps)); a conversation past its last step falls through to other scenarios or the default responder")]))
                continue
            }
            var criteria = scenario.match.evaluate(context.request, text: text, headers: context.headers)
            if let m = scenario.steps[0].match {
                criteria += m.evaluate(context.request, text: text, headers: context.headers)
            }
            if criteria.allSatisfy(\.satisfied), let nth = scenario.match.nth {
                let count = tenant.state.withLock { s -> Int in
                    s.scenarioCounters["nth|\(scenario.name)", default: 0] += 1
                    return s.scenarioCounters["nth|\(scenario.name)"]!
                }
                if count != nth { criteria.append(.unmet("this is matching request #\(count), scenario answers only #\(nth)", closeness: 0.9)) }
            }
            if criteria.allSatisfy(\.satisfied) {
                if let expect = scenario.steps[0].expect {
                    try check(expect, scenario: scenario, step: 0, context: context, tenant: tenant, root: context.interactionID)
                }
                return try build(scenario, step: 0, context: context, tenant: tenant, root: context.interactionID, signatures: signatures)
            }
            misses.append(NearMiss(scenario: scenario.name, order: order, criteria: criteria))
        }

        guard strict else { return nil }
        let nearest = misses.sorted(by: NearMiss.nearer).prefix(3)
        let why: String
        if !nearest.isEmpty {
            let list = nearest.map { "'\($0.scenario)' (\($0.reasons.joined(separator: "; ")))" }.joined(separator: "; ")
            why = "Nearest: \(list)."
        } else if let selected {
            why = "The scenario '\(selected)' selected by the header '\(Self.selectionHeader)' has no reply or steps (it only injects faults), so no scenario can answer; remove the header, send '\(Self.strictHeader): false', or give '\(selected)' a reply."
        } else if candidates.isEmpty {
            let loaded = state.withLock { $0.scenarios.count }
            why = loaded == 0
                ? "No scenario is loaded."
                : "None of the \(loaded) loaded scenario(s) applies to this API key (they are loaded for other keys, or explicit: select one with the header '\(Self.selectionHeader)')."
        } else {
            why = "None of the \(candidates.count) scenario(s) this API key may use has a reply or steps (they only inject faults)."
        }
        var e = APIError.failedPrecondition("No scenario matched this request and scenarios are strict. " + why)
        e.details = nearest.map {
            ["@type": "type.understudy.dev/NearMiss", "scenario": .string($0.scenario), "reasons": .array($0.reasons.map { .string($0) }),
             "conditions_met": .int(Int64($0.criteria.filter(\.satisfied).count)), "conditions": .int(Int64($0.criteria.count))]
        }
        throw e
    }

    /// Whether scripted function calls need a signed thought before them on this target, as the real
    /// model sends (Gemini 3 under `--signatures by-model`, everything under `strict`).
    static func requiresSignatures(_ policy: EngineConfiguration.SignaturePolicy, target: Target) -> Bool {
        switch policy {
        case .byModel: return Catalog.validatesSignatures(target.name)
        case .strict: return true
        case .lenient: return false
        }
    }

    /// The scripted conversation this request continues, found by the ids the steps issued: the
    /// previous interaction's id, or a function call id answered in the history.
    func continuation(of context: ResponseContext, tenant: Tenant) -> ScenarioChainLink? {
        tenant.state.withLock { s in
            if let previous = context.request.previousInteractionID, let link = s.scenarioChains[previous] { return link }
            for turn in context.history.reversed() where turn.role == .model {
                for block in turn.content where block.type == "function_call" {
                    if let id = block.id, let link = s.scenarioCallChains[id] { return link }
                }
                break
            }
            return nil
        }
    }

    func violation(_ scenario: Scenario, step: Int, _ what: String) -> APIError {
        var e = APIError.invalidArgument("Scenario '\(scenario.name)' step \(step + 1): \(what)")
        e.details = [["@type": .string(Self.violationType), "scenario": .string(scenario.name), "step": .int(Int64(step + 1)), "violation": .string(what)]]
        return e
    }

    func check(_ expect: Scenario.Expectation, scenario: Scenario, step: Int, context: ResponseContext, tenant: Tenant, root: String) throws(APIError) {
        let values = templateValues(context: context, tenant: tenant, root: root)
        let text = Self.turnText(context.request)
        if !expect.functionResults.isEmpty {
            let wanted = Set(expect.functionResults.map { Template.render($0, values) })
            let sent = Set(context.currentInput.flatMap(\.content).filter { $0.type == "function_result" }.compactMap(\.callID))
            if wanted != sent {
                throw violation(scenario, step: step, "expected function results for call ids [\(wanted.sorted().joined(separator: ", "))], the request answered [\(sent.sorted().joined(separator: ", "))].")
            }
        }
        if let s = expect.inputContains {
            let want = Template.render(s, values)
            if !text.lowercased().contains(want.lowercased()) {
                throw violation(scenario, step: step, "expected the input to contain '\(want)', got \(Closeness.quote(text)).")
            }
        }
        if let p = expect.inputMatches, let regex = try? Regex(p), (try? regex.firstMatch(in: text)) == nil {
            throw violation(scenario, step: step, "expected the input to match /\(p)/, got \(Closeness.quote(text)).")
        }
        let declared = Set(context.request.tools.map { $0.name ?? $0.type })
        let missing = expect.tools.filter { !declared.contains($0) }
        if !missing.isEmpty {
            let sent = declared.isEmpty ? "none" : declared.sorted().joined(separator: ", ")
            throw violation(scenario, step: step, "expected the tools [\(missing.joined(separator: ", "))] to be declared again (tools are not inherited through previous_interaction_id); the request declares: \(sent).")
        }
    }

    func templateValues(context: ResponseContext, tenant: Tenant, root: String) -> [String: String] {
        var values = tenant.state.withLock { s in
            s.scenarioValues.reduce(into: [String: String]()) { out, kv in
                let prefix = root + "|"
                if kv.key.hasPrefix(prefix) { out[String(kv.key.dropFirst(prefix.count))] = kv.value }
            }
        }
        values["interaction.id"] = context.interactionID
        values["previous.id"] = context.request.previousInteractionID ?? ""
        values["request.text"] = Self.turnText(context.request)
        values["request.model"] = context.request.target.name
        values["chain.position"] = String(context.chainPosition)
        let results = context.currentInput.flatMap(\.content).filter { $0.type == "function_result" }
        for (i, r) in results.enumerated() {
            values["request.function_results.\(i + 1).call_id"] = r.callID ?? ""
            values["request.function_results.\(i + 1).name"] = r.name ?? ""
            switch r.result {
            case .string(let s)?: values["request.function_results.\(i + 1).result"] = s
            case let v?: values["request.function_results.\(i + 1).result"] = v.jsonString
            case nil: break
            }
        }
        return values
    }

    func build(_ scenario: Scenario, step index: Int, context: ResponseContext, tenant: Tenant, root: String, signatures: Bool) throws(APIError) -> Reply {
        let script = scenario.steps[index].reply
        var values = templateValues(context: context, tenant: tenant, root: root)
        values["steps.\(index + 1).id"] = context.interactionID
        var outputs: [Content] = []
        var callNumber = 0
        // Ids of this reply's calls not yet answered by a result in it, by call type, oldest first.
        var openCalls: [String: [String]] = [:]
        for (i, raw) in script.outputs.enumerated() {
            var json = Template.render(raw, values)
            if json["id"]?.stringValue == "{{auto}}" || json["id"]?.stringValue == "" {
                json["id"] = .string(context.identity.shortID(8, context.label, "scenario", scenario.name, String(index), String(i)))
            }
            let type = json["type"]?.stringValue ?? ""
            if ScenarioLoader.resultOfCall[type] != nil, let id = json["id"]?.stringValue { openCalls[type, default: []].append(id) }
            if let callType = ScenarioLoader.resultOfCall.first(where: { $0.value == type })?.key {
                if json["call_id"]?.stringValue == "{{pair}}" {
                    json["call_id"] = .string(openCalls[callType]?.first ?? "")
                    if openCalls[callType]?.isEmpty == false { openCalls[callType]!.removeFirst() }
                } else if let id = json["call_id"]?.stringValue, let k = openCalls[callType]?.firstIndex(of: id) {
                    openCalls[callType]!.remove(at: k)
                }
            }
            guard let block = Content(json: json) else { continue }
            if block.type == "function_call" {
                callNumber += 1
                values["steps.\(index + 1).calls.\(callNumber).id"] = block.id ?? ""
                values["steps.\(index + 1).calls.\(callNumber).name"] = block.name ?? ""
            }
            outputs.append(block)
        }
        if signatures { outputs = Self.signingCalls(outputs) }
        var reply = Reply(outputs: outputs, status: script.status ?? (outputs.contains(where: \.isClientCall) ? .requiresAction : .completed))
        reply.failure = script.error
        if reply.status == .failed && reply.failure == nil {
            reply.failure = InteractionFailure(code: "internal", message: "The interaction failed (scripted by scenario '\(scenario.name)').")
        }
        reply.textChunkSize = script.chunkSize
        reply.eventDelayMillis = script.delayMillis
        reply.streamFaults = script.streamFaults
        reply.timeline = script.timeline
        if context.request.background, let timeline = script.timeline {
            reply.timeline = claimPendingHolds(timeline, tenant: tenant)
        }
        reply.scenario = "\(scenario.name)#\(index + 1)"
        reply.retentionSeconds = script.retentionSeconds
        if let u = script.usage {
            var usage = Usage()
            usage.inputByModality["text"] = Int(u["input_tokens"]?.intValue ?? 0)
            usage.outputByModality["text"] = Int(u["output_tokens"]?.intValue ?? 0)
            usage.reasoning = Int(u["reasoning_tokens"]?.intValue ?? 0)
            if let c = u["cached_tokens"]?.intValue { usage.cachedByModality["text"] = Int(c) }
            if let t = u["tool_use_tokens"]?.intValue { usage.toolUseByModality["text"] = Int(t) }
            reply.usage = usage
        }
        // Remember where this interaction sits, so its continuation finds the next step.
        let link = ScenarioChainLink(scenario: scenario.name, step: index, root: root)
        tenant.state.withLock { s in
            s.scenarioChains[context.interactionID] = link
            s.scenarioCounters["step|\(scenario.name)|\(index)", default: 0] += 1
            s.scenarioValues["\(root)|steps.\(index + 1).id"] = context.interactionID
            for (k, v) in values where k.hasPrefix("steps.\(index + 1).calls.") { s.scenarioValues["\(root)|\(k)"] = v }
            for block in outputs where block.type == "function_call" {
                if let id = block.id { s.scenarioCallChains[id] = link }
            }
        }
        return reply
    }

    /// Puts a signature-only thought before each function call that no thought precedes, as Gemini 3
    /// does, so a client that replays the model turn unchanged in stateless history passes the
    /// signature check. The engine's sealer signs it (and scripted thoughts without a signature).
    static func signingCalls(_ outputs: [Content]) -> [Content] {
        var out: [Content] = []
        var covered = false
        for block in outputs {
            if block.type == "thought" {
                covered = true
            } else if block.type == "function_call" && !covered {
                out.append(.thought(signature: "", summary: []))
                covered = true
            }
            out.append(block)
        }
        return out
    }

    /// A release that came before any job waited on the hold (pending) lets the next job created with
    /// that hold skip it: its first wait on the hold becomes `immediately`, and the release is used up.
    func claimPendingHolds(_ timeline: [PendingRun.Step], tenant: Tenant) -> [PendingRun.Step] {
        tenant.state.withLock { s in
            var steps = timeline
            var claimed: Set<String> = []
            for (i, step) in steps.enumerated() {
                guard case .hold(let name) = step.trigger, !claimed.contains(name), let n = s.pendingHoldReleases[name], n > 0 else { continue }
                steps[i].trigger = .immediately
                claimed.insert(name)
                s.pendingHoldReleases[name] = n > 1 ? n - 1 : nil
            }
            return steps
        }
    }

    // MARK: Progress

    /// What a scenario has done for one key: how often each step answered, each fault's calls, the
    /// `nth` count and the conversations in progress.
    func progress(of scenario: Scenario, tenant: Tenant) -> JSONValue? {
        tenant.state.withLock { s -> JSONValue? in
            let name = scenario.name
            let steps = scenario.steps.indices.map { s.scenarioCounters["step|\(name)|\($0)"] ?? 0 }
            let faultCalls = scenario.faults.indices.map { s.scenarioCounters["fault|\(name)|\($0)"] ?? 0 }
            let nth = s.scenarioCounters["nth|\(name)"]
            var latest: [String: (step: Int, id: String)] = [:]
            for (id, link) in s.scenarioChains where link.scenario == name {
                if let have = latest[link.root], have.step >= link.step { continue }
                latest[link.root] = (link.step, id)
            }
            let pending = scenario.holds.compactMap { h in s.pendingHoldReleases[h].map { (h, $0) } }
            if steps.allSatisfy({ $0 == 0 }) && faultCalls.allSatisfy({ $0 == 0 }) && nth == nil && latest.isEmpty && pending.isEmpty { return nil }
            var o: [String: JSONValue] = [
                "steps_answered": .array(steps.map { .int(Int64($0)) }),
                "faults": .array(scenario.faults.enumerated().map { i, f in
                    let calls = faultCalls[i]
                    let injected = max(0, min(calls, f.skip + (f.times ?? Int.max / 2)) - f.skip)
                    return ["fault": .int(Int64(i + 1)), "on": .string(f.on.rawValue), "calls_seen": .int(Int64(calls)), "injected": .int(Int64(injected))]
                }),
                "conversations": .array(latest.sorted { $0.key < $1.key }.map { root, at in
                    ["started_by": .string(root), "step": .int(Int64(at.step + 1)), "last_interaction_id": .string(at.id),
                     "finished": .bool(at.step + 1 >= scenario.steps.count)]
                }),
            ]
            if let nth { o["nth_matching_requests"] = .int(Int64(nth)) }
            if !pending.isEmpty { o["pending_hold_releases"] = .object(Dictionary(uniqueKeysWithValues: pending.map { ($0.0, JSONValue.int(Int64($0.1))) })) }
            return .object(o)
        }
    }
}

/// A scenario that did not match, with the conditions it judged, for strict mode's "nearest" list.
struct NearMiss {
    var scenario: String
    /// Load order, the last tie-breaker.
    var order: Int
    var criteria: [Criterion]

    var reasons: [String] { criteria.filter { !$0.satisfied }.map(\.reason) }

    /// Nearer first: fewer unmet conditions; then the closer the unmet ones came (e.g. the longest
    /// piece of `input_contains` in the text, the longest matching start of `input_matches`); then more
    /// conditions met; then load order.
    static func nearer(_ a: NearMiss, _ b: NearMiss) -> Bool {
        let ua = a.criteria.filter { !$0.satisfied }, ub = b.criteria.filter { !$0.satisfied }
        if ua.count != ub.count { return ua.count < ub.count }
        let ca = ua.map(\.closeness).reduce(0, +), cb = ub.map(\.closeness).reduce(0, +)
        if abs(ca - cb) > 1e-9 { return ca > cb }
        let ma = a.criteria.count - ua.count, mb = b.criteria.count - ub.count
        if ma != mb { return ma > mb }
        return a.order < b.order
    }
}

/// A fault a scenario injects before a request is handled.
public struct ScenarioFault: Sendable {
    public var scenario: String
    /// 1-based index of the fault in the scenario's `faults`.
    public var fault: Int = 1
    public var delayMillis: Int = 0
    public var dropConnection = false
    public var error: APIError?
}

/// `{{name}}` substitution in scenario strings. Unknown names are left as written, so mistakes show.
enum Template {
    static func render(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += values[name] ?? (name == "auto" ? "{{auto}}" : "{{\(name)}}")
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }

    static func render(_ value: JSONValue, _ values: [String: String]) -> JSONValue {
        switch value {
        case .string(let s): return .string(render(s, values))
        case .array(let a): return .array(a.map { render($0, values) })
        case .object(let o): return .object(o.mapValues { render($0, values) })
        default: return value
        }
    }
}
