import UnderstudyModel

/// What releasing a hold did.
public struct HoldRelease: Sendable {
    public var hold: String
    public var tenant: String
    /// Running interactions that waited on the hold, or would have reached it, and now go on.
    public var interactions: [String]
    /// True when no running interaction had the hold ahead: the release is remembered for the next
    /// job created with this hold (and forgotten by `POST /_understudy/reset`).
    public var pending: Bool
    /// Remembered releases of this hold now waiting for a job.
    public var pendingCount: Int

    public var json: JSONValue {
        [
            "released": .string(hold), "tenant": .string(tenant),
            "interactions": .array(interactions.map { .string($0) }),
            "pending": .bool(pending), "pending_releases": .int(Int64(pendingCount)),
        ]
    }
}

extension Engine {
    /// Releases hold `name` for one key.
    ///
    /// Every running interaction of the key whose timeline still has a wait on the hold (the current
    /// wait, or a later one) goes past that wait: it is rewritten to `immediately`, and the run advances
    /// as far as its other waits allow. When no running interaction has it ahead, the release is
    /// remembered (`pending`) and used by the next job created with the hold. A hold that no scenario
    /// this key may use declares (and no job of the key waits on) is a 404, so typos do not pass silently.
    public func releaseHold(_ name: String, tenantKey: String) async throws(APIError) -> HoldRelease {
        let declared = scenarios.holds(visibleTo: tenantKey)
        let tenant = try await self.tenant(tenantKey)
        let ids: [String]
        do { ids = try await store.interactionIDs(tenant: tenant.key, limit: 100_000) } catch { throw storeFailure(error) }
        var released: [String] = []
        for id in ids {
            guard let found = try? await store.load(tenant: tenant.key, id: id), let run = found.pendingRun,
                run.steps.contains(where: { $0.trigger == .hold(name) })
            else { continue }
            let freed = try await mutations.withLock("\(tenant.key)|\(id)") { () async throws(APIError) -> Bool in
                guard var record = try? await load(id, tenant: tenant), var current = record.pendingRun,
                    let k = current.steps.firstIndex(where: { $0.trigger == .hold(name) })
                else { return false }
                current.steps[k].trigger = .immediately
                record.pendingRun = current
                advance(&record, now: nowSeconds(tenant), polls: 0)
                record.revision += 1
                do { try await store.update(record) } catch { throw storeFailure(error) }
                return true
            }
            if freed {
                released.append(id)
                changes.signal(tenant: tenant.key, id: id)
            }
        }
        // Jobs of a scenario removed since still count; otherwise the hold must be declared.
        if released.isEmpty && !declared.contains(name) {
            let elsewhere = Set(scenarios.allHolds().filter { $0.0 == name }.compactMap(\.1)).sorted()
            var message = "No loaded scenario that API key '\(tenantKey)' may use declares hold '\(name)', and no job of this key waits on it."
            if !elsewhere.isEmpty {
                let shown = elsewhere.prefix(5).joined(separator: ", ") + (elsewhere.count > 5 ? " and \(elsewhere.count - 5) more" : "")
                message += " It is declared by scenarios loaded for other keys: \(shown)."
            }
            message += declared.isEmpty ? " No hold is declared for this key." : " Holds declared for this key: \(declared.joined(separator: ", "))."
            throw APIError.notFound(message, field: "hold")
        }
        let pendingCount = tenant.state.withLock { s -> Int in
            if released.isEmpty { s.pendingHoldReleases[name, default: 0] += 1 }
            return s.pendingHoldReleases[name] ?? 0
        }
        return HoldRelease(hold: name, tenant: tenant.key, interactions: released, pending: released.isEmpty, pendingCount: pendingCount)
    }

    /// `GET /_understudy/scenarios/NAME`: the scenario's definition and source, and its progress per
    /// key (only `tenantKey`'s when given, else every key that has any).
    public func scenarioDetail(_ name: String, tenantKey: String?) throws(APIError) -> JSONValue {
        guard let scenario = scenarios.scenario(named: name, tenant: tenantKey) else {
            let names = scenarios.names(tenant: tenantKey)
            throw APIError.notFound(
                "No scenario named '\(name)' is loaded\(tenantKey.map { " for API key '\($0)'" } ?? ""). Loaded: \(names.isEmpty ? "none" : names.joined(separator: ", ")).",
                field: "name")
        }
        var o = ScenarioBook.summary(scenario).objectValue ?? [:]
        o["definition"] = scenario.definition
        o["line"] = .int(Int64(scenario.line))
        let keys = tenantKey.map { [$0] } ?? knownTenantKeys
        var progress: [String: JSONValue] = [:]
        for key in keys {
            guard let tenant = tenants.withLock({ $0[key] }) else { continue }
            if let p = scenarios.progress(of: scenario, tenant: tenant) { progress[key] = p }
        }
        o["progress"] = .object(progress)
        return .object(o)
    }
}
