/// The storage form of an `InteractionRecord`: a versioned JSON document that belongs to Understudy, not
/// to any wire revision, so the store never changes when a new API revision is served.
extension InteractionRecord {
    public static let storageVersion: Int64 = 1

    public var storageJSON: JSONValue {
        var o: [String: JSONValue] = [
            "v": .int(Self.storageVersion),
            "id": .string(id),
            "tenant": .string(tenant),
            "sequence": .int(sequence),
            "status": .string(status.rawValue),
            "created": .int(created),
            "updated": .int(updated),
            "input": .array(input.map(\.json)),
            "outputs": .array(outputs.map(\.json)),
            "tools": .array(tools.map(\.json)),
            "stored": .bool(stored),
            "background": .bool(background),
            "streamed": .bool(streamed),
            "status_history": .array(statusHistory.map { .object(["status": .string($0.status.rawValue), "at": .int($0.at)]) }),
            "revision": .int(revision),
            "chunk_plan": .object(["text_chunk_size": .int(Int64(chunkPlan.textChunkSize)), "event_delay_ms": .int(Int64(chunkPlan.eventDelayMillis))]),
        ]
        switch target {
        case .model(let m): o["model"] = .string(m)
        case .agent(let a): o["agent"] = .string(a)
        }
        if let previousInteractionID { o["previous_interaction_id"] = .string(previousInteractionID) }
        if let usage { o["usage"] = usage.storageJSON }
        if let systemInstruction { o["system_instruction"] = .string(systemInstruction) }
        if let failure { o["failure"] = .object(["code": .string(failure.code), "message": .string(failure.message)]) }
        if let expiresAt { o["expires_at"] = .int(expiresAt) }
        if let pendingRun { o["pending_run"] = pendingRun.storageJSON }
        if let scenario { o["scenario"] = .string(scenario) }
        return .object(o)
    }

    public init?(storageJSON j: JSONValue) {
        guard let id = j["id"]?.stringValue, let tenant = j["tenant"]?.stringValue,
            let sequence = j["sequence"]?.intValue,
            let status = j["status"]?.stringValue.flatMap(InteractionStatus.init(rawValue:)),
            let created = j["created"]?.intValue
        else { return nil }
        let target: Target
        if let m = j["model"]?.stringValue {
            target = .model(m)
        } else if let a = j["agent"]?.stringValue {
            target = .agent(a)
        } else {
            return nil
        }
        self.init(
            id: id, tenant: tenant, sequence: sequence, target: target, status: status, created: created,
            input: (j["input"]?.arrayValue ?? []).compactMap(Turn.init(storageJSON:)),
            outputs: (j["outputs"]?.arrayValue ?? []).compactMap(Content.init(json:)),
            tools: (j["tools"]?.arrayValue ?? []).compactMap { t in
                guard var f = t.objectValue, let type = f.removeValue(forKey: "type")?.stringValue else { return nil }
                return Tool(type: type, fields: f)
            },
            stored: j["stored"]?.boolValue ?? true)
        updated = j["updated"]?.intValue ?? created
        background = j["background"]?.boolValue ?? false
        streamed = j["streamed"]?.boolValue ?? false
        statusHistory = (j["status_history"]?.arrayValue ?? []).compactMap { s in
            guard let st = s["status"]?.stringValue.flatMap(InteractionStatus.init(rawValue:)), let at = s["at"]?.intValue else { return nil }
            return StatusChange(status: st, at: at)
        }
        chunkPlan = ChunkPlan(
            textChunkSize: Int(j["chunk_plan"]?["text_chunk_size"]?.intValue ?? 24),
            eventDelayMillis: Int(j["chunk_plan"]?["event_delay_ms"]?.intValue ?? 0))
        previousInteractionID = j["previous_interaction_id"]?.stringValue
        usage = j["usage"].flatMap(Usage.init(storageJSON:))
        systemInstruction = j["system_instruction"]?.stringValue
        if let f = j["failure"], let code = f["code"]?.stringValue, let message = f["message"]?.stringValue {
            failure = InteractionFailure(code: code, message: message)
        }
        expiresAt = j["expires_at"]?.intValue
        pendingRun = j["pending_run"].flatMap(PendingRun.init(storageJSON:))
        scenario = j["scenario"]?.stringValue
        revision = j["revision"]?.intValue ?? 1
    }
}

extension Turn {
    public init?(storageJSON j: JSONValue) {
        guard let role = j["role"]?.stringValue.flatMap(Role.init(rawValue:)) else { return nil }
        self.init(role: role, content: (j["content"]?.arrayValue ?? []).compactMap(Content.init(json:)))
    }
}

extension Usage {
    public var storageJSON: JSONValue {
        func m(_ d: [String: Int]) -> JSONValue { .object(d.mapValues { .int(Int64($0)) }) }
        return .object([
            "input": m(inputByModality), "output": m(outputByModality), "cached": m(cachedByModality),
            "tool_use": m(toolUseByModality), "reasoning": .int(Int64(reasoning)),
        ])
    }

    public init?(storageJSON j: JSONValue) {
        guard case .object = j else { return nil }
        func m(_ v: JSONValue?) -> [String: Int] { (v?.objectValue ?? [:]).compactMapValues { $0.intValue.map(Int.init) } }
        self.init()
        inputByModality = m(j["input"])
        outputByModality = m(j["output"])
        cachedByModality = m(j["cached"])
        toolUseByModality = m(j["tool_use"])
        reasoning = Int(j["reasoning"]?.intValue ?? 0)
    }
}

extension InteractionStatus {
    init?(storage: JSONValue?) {
        guard let s = storage?.stringValue else { return nil }
        self.init(rawValue: s)
    }
}

extension PendingRun {
    var storageJSON: JSONValue {
        .object([
            "steps": .array(steps.map { step in
                var o: [String: JSONValue] = ["status": .string(step.status.rawValue), "trigger": step.trigger.storageJSON]
                if let note = step.note { o["note"] = .string(note) }
                return .object(o)
            }),
            "step_started_at": .int(stepStartedAt),
            "polls_in_step": .int(Int64(pollsInStep)),
            "final_outputs": .array(finalOutputs.map(\.json)),
            "final_usage": finalUsage?.storageJSON ?? .null,
            "final_status": .string(finalStatus.rawValue),
            "final_failure": finalFailure.map { .object(["code": .string($0.code), "message": .string($0.message)]) } ?? .null,
        ])
    }

    init?(storageJSON j: JSONValue) {
        guard let finalStatus = InteractionStatus(storage: j["final_status"]) else { return nil }
        let steps: [Step] = (j["steps"]?.arrayValue ?? []).compactMap { s in
            guard let st = InteractionStatus(storage: s["status"]), let trigger = s["trigger"].flatMap(Trigger.init(storageJSON:)) else { return nil }
            return Step(status: st, trigger: trigger, note: s["note"]?.stringValue)
        }
        var failure: InteractionFailure?
        if let f = j["final_failure"], let code = f["code"]?.stringValue, let message = f["message"]?.stringValue {
            failure = InteractionFailure(code: code, message: message)
        }
        self.init(
            steps: steps, stepStartedAt: j["step_started_at"]?.intValue ?? 0,
            finalOutputs: (j["final_outputs"]?.arrayValue ?? []).compactMap(Content.init(json:)),
            finalUsage: j["final_usage"].flatMap(Usage.init(storageJSON:)), finalStatus: finalStatus, finalFailure: failure)
        pollsInStep = Int(j["polls_in_step"]?.intValue ?? 0)
    }
}

extension PendingRun.Trigger {
    var storageJSON: JSONValue {
        switch self {
        case .immediately: return ["kind": "immediately"]
        case .afterSeconds(let s): return ["kind": "after_seconds", "seconds": .double(s)]
        case .afterPolls(let n): return ["kind": "after_polls", "polls": .int(Int64(n))]
        case .afterPollsOrSeconds(let n, let s): return ["kind": "after_polls_or_seconds", "polls": .int(Int64(n)), "seconds": .double(s)]
        case .hold(let name): return ["kind": "hold", "name": .string(name)]
        }
    }

    init?(storageJSON j: JSONValue) {
        switch j["kind"]?.stringValue {
        case "immediately": self = .immediately
        case "after_seconds": self = .afterSeconds(j["seconds"]?.doubleValue ?? 0)
        case "after_polls": self = .afterPolls(Int(j["polls"]?.intValue ?? 0))
        case "after_polls_or_seconds": self = .afterPollsOrSeconds(Int(j["polls"]?.intValue ?? 0), j["seconds"]?.doubleValue ?? 0)
        case "hold": self = .hold(j["name"]?.stringValue ?? "")
        default: return nil
        }
    }
}
