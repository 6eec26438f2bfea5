import Foundation
import HTTPTypes
import Hummingbird
import UnderstudyEngine
import UnderstudyModel

/// The admin API under `/_understudy`: health, reset, the clock, holds, scenarios, tiers and the journal.
///
/// Admin calls act on one tenant, named by `?tenant=KEY` or, for convenience, by the same
/// `x-goog-api-key` header the client uses. Loopback callers only, unless the server says otherwise;
/// with an admin token set, callers must send it as `x-understudy-admin-token` or a Bearer token.
struct AdminAPI: Sendable {
    static let prefix = "/_understudy"
    let engine: Engine
    let configuration: ServerConfiguration
    let responses: Responses

    func respond(to request: Request, context: UnderstudyContext) async -> Response {
        do {
            return try await handle(request, context: context)
        } catch {
            return responses.error(error)
        }
    }

    func handle(_ request: Request, context: UnderstudyContext) async throws(APIError) -> Response {
        if !configuration.adminAnyHost && !context.remoteIsLoopback {
            throw APIError.permissionDenied("The admin API answers loopback callers only (start the server with --admin-any-host to change that).")
        }
        if let token = configuration.adminToken {
            let sent = request.headerMap["x-understudy-admin-token"]
                ?? request.headerMap["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            guard sent == token else {
                throw APIError(httpStatus: 401, status: "UNAUTHENTICATED", message: "The admin API needs its token: send it as 'x-understudy-admin-token' or 'Authorization: Bearer …'.")
            }
        }
        let parts = request.uri.path.dropFirst(Self.prefix.count).split(separator: "/").map(String.init)
        let method = request.method
        let query = request.query
        let tenant = query["tenant"] ?? request.headerMap["x-goog-api-key"]

        func requireTenant() throws(APIError) -> String {
            guard let tenant, !tenant.isEmpty else {
                throw APIError.invalidArgument("Name the tenant: add '?tenant=API_KEY' (or send the key as 'x-goog-api-key').", field: "tenant")
            }
            return tenant
        }

        let route = parts.joined(separator: "/")
        // Path segments after a fixed head, e.g. holds/NAME/release.
        func segment(_ i: Int) -> String { i < parts.count ? parts[i] : "" }

        switch (method, route) {
        case (.get, "health"), (.get, ""):
            return responses.json([
                "status": "ok", "seed": .int(Int64(bitPattern: engine.configuration.seed)),
                "database": .string(engine.store.path), "tenants": .array(engine.knownTenantKeys.map { .string($0) }),
            ])
        case (.get, "hello"):
            return responses.json(["message": "hello"])
        case (.post, "reset"):
            try await engine.reset(tenantKey: tenant)
            return responses.json(["reset": .string(tenant ?? "all")])
        case (.get, "clock"):
            let key = try requireTenant()
            let t = try await engine.tenant(key)
            return clockResponse(engine.nowMillis(t))
        case (.post, "clock/advance"):
            let key = try requireTenant()
            let body = try await jsonBody(request)
            guard let millis = try durationMillis(body, query: query) else {
                throw APIError.invalidArgument("Say how far to advance: {\"seconds\": 60} or {\"duration\": \"55d\"} (units ms, s, m, h, d).", field: "duration")
            }
            guard millis >= 0 else { throw APIError.invalidArgument("The clock only moves forward; use /clock/set to jump.", field: "duration") }
            return clockResponse(try await engine.advanceClock(tenantKey: key, byMillis: millis))
        case (.post, "clock/set"):
            let key = try requireTenant()
            let body = try await jsonBody(request)
            guard let text = body["time"]?.stringValue ?? query["time"], let seconds = Timestamp.parse(text) else {
                throw APIError.invalidArgument("Give the time as RFC 3339: {\"time\": \"2026-01-01T00:00:00Z\"}.", field: "time")
            }
            return clockResponse(try await engine.advanceClock(tenantKey: key, toMillis: seconds * 1000))
        case (.post, _) where parts.count == 3 && parts[0] == "holds" && parts[2] == "release":
            let key = try requireTenant()
            return responses.json(try await engine.releaseHold(segment(1), tenantKey: key).json)
        case (.post, _) where parts.count == 3 && parts[0] == "tenants" && parts[2] == "tier",
            (.put, _) where parts.count == 3 && parts[0] == "tenants" && parts[2] == "tier":
            let body = try await jsonBody(request)
            guard let tier = body["tier"]?.stringValue, ["paid", "free"].contains(tier) else {
                throw APIError.invalidArgument("Invalid value at 'tier': expected \"paid\" or \"free\".", field: "tier")
            }
            try await engine.setTier(tier, tenantKey: segment(1))
            return responses.json(["tenant": .string(segment(1)), "tier": .string(tier)])
        case (.get, "interactions"):
            let key = try requireTenant()
            let ids: [String]
            do { ids = try await engine.store.interactionIDs(tenant: key) } catch { throw APIError.internalError("\(error)") }
            return responses.json(["interaction_ids": .array(ids.map { .string($0) })])
        case (.get, "journal"):
            let key = try requireTenant()
            let entries = engine.journal(tenantKey: key).filter { matches($0, query) }
            return responses.json(["requests": .array(entries.map(\.json))])
        case (.delete, "journal"):
            let key = try requireTenant()
            engine.clearJournal(tenantKey: key)
            return responses.json([:])
        // Scenario calls name their tenant with ?tenant= only (an x-goog-api-key header does not scope them).
        case (.get, "scenarios"):
            let scoped = query["tenant"]
            var o: [String: JSONValue] = [
                "scenarios": .array(engine.scenarios.summaries(tenant: scoped)),
                "strict": .bool(scoped.map { engine.scenarios.isStrict(tenant: $0) } ?? engine.scenarios.strict),
            ]
            if let scoped { o["tenant"] = .string(scoped) }
            return responses.json(.object(o))
        case (.get, _) where parts.count == 2 && parts[0] == "scenarios":
            return responses.json(try engine.scenarioDetail(segment(1), tenantKey: query["tenant"]))
        case (.post, "scenarios"):
            let body = try await collectBody(request, limit: configuration.bodyLimitBytes)
            let text = String(decoding: body, as: UTF8.self)
            // Scenarios loaded with ?tenant= apply to that API key only.
            let names = try engine.scenarios.load(text: text, source: query["name"] ?? "admin-api", tenant: query["tenant"])
            return responses.json(["loaded": .array(names.map { .string($0) })])
        case (.delete, "scenarios"):
            engine.scenarios.removeAll(tenant: query["tenant"])
            return responses.json([:])
        case (.post, "scenarios/strict"), (.put, "scenarios/strict"):
            let body = try await jsonBody(request)
            guard let strict = body["strict"]?.boolValue else {
                throw APIError.invalidArgument("Send {\"strict\": true} or {\"strict\": false}.", field: "strict")
            }
            // With ?tenant=KEY only that key's requests; without, every key that has no setting of its own.
            engine.scenarios.setStrict(strict, tenant: query["tenant"])
            var o: [String: JSONValue] = ["strict": .bool(strict), "scope": .string(query["tenant"] == nil ? "global" : "tenant")]
            if let t = query["tenant"] { o["tenant"] = .string(t) }
            return responses.json(.object(o))
        case (.delete, _) where parts.count == 2 && parts[0] == "scenarios":
            guard engine.scenarios.remove(segment(1), tenant: query["tenant"]) else {
                let names = engine.scenarios.names(tenant: query["tenant"])
                throw APIError.notFound(
                    "No scenario named '\(segment(1))' is loaded\(query["tenant"].map { " for API key '\($0)'" } ?? ""). Loaded: \(names.isEmpty ? "none" : names.joined(separator: ", ")).",
                    field: "name")
            }
            return responses.json([:])
        default:
            throw APIError.notFound("No admin endpoint '\(method.rawValue) \(request.uri.path)'. See the README's admin API section.")
        }
    }

    func clockResponse(_ millis: Int64) -> Response {
        responses.json(["now": .string(Timestamp.rfc3339(millis / 1000)), "millis": .int(millis)])
    }

    func jsonBody(_ request: Request) async throws(APIError) -> JSONValue {
        let body = try await collectBody(request, limit: 1 << 20)
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .object([:]) }
        do { return try JSONValue.parse(body) } catch {
            throw APIError.invalidArgument("Invalid JSON payload received. \(error.description).")
        }
    }

    func durationMillis(_ body: JSONValue, query: [String: String]) throws(APIError) -> Int64? {
        if let s = body["seconds"]?.doubleValue ?? query["seconds"].flatMap(Double.init) { return Int64(s * 1000) }
        if let ms = body["millis"]?.intValue ?? query["millis"].flatMap({ Int64($0) }) { return ms }
        if let d = body["duration"]?.stringValue ?? query["duration"] {
            guard let v = DurationText.parseMillis(d) else {
                throw APIError.invalidArgument("Invalid value at 'duration', \"\(d)\": expected a number with a unit, e.g. 90s, 15m, 24h, 55d.", field: "duration")
            }
            return v
        }
        return nil
    }

    func matches(_ e: JournalEntry, _ q: [String: String]) -> Bool {
        if let m = q["method"], m.uppercased() != e.method { return false }
        if let r = q["route"], r != e.route { return false }
        if let p = q["path"], !e.path.contains(p) { return false }
        if let s = q["status"], String(e.status) != s { return false }
        // `scenario=NAME` or `scenario=NAME#STEP` (the form the journal used before it had `step`).
        if let s = q["scenario"] {
            let (name, step) = UnderstudyResponder.scenarioAndStep(s)
            if e.scenario != name { return false }
            if let step, e.step != step { return false }
        }
        if let s = q["step"], e.step.map(String.init) != s { return false }
        if let i = q["interaction_id"], e.interactionID != i { return false }
        if let since = q["since"].flatMap({ Int64($0) }), e.sequence <= since { return false }
        return true
    }
}

