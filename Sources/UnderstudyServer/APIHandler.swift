import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnderstudyEngine
import UnderstudyModel
import UnderstudyWire

/// Settings of the HTTP layer.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8089
    /// Largest request body accepted (inline media is base64 in JSON).
    public var bodyLimitBytes = 20 * 1024 * 1024
    public var wire = WireOptions()
    /// Admin API access: loopback callers only unless `adminAnyHost`; a token when set.
    public var adminToken: String?
    public var adminAnyHost = false
    /// Told of every API request as it arrives (API key or nil, method, path); the conformance runner
    /// uses it to measure real time between a client's requests without putting wall time in the journal.
    public var requestObserver: (@Sendable (String?, String, String) -> Void)?
    public init() {}
}

/// A route of the public API, recognised from the path independently of any base-URL prefix.
enum APIRoute: Equatable {
    case interactions
    case interaction(id: String)
    case cancel(id: String)
    case files
    case file(name: String)
    case upload

    /// Recognises `…/{v1beta|v1alpha|v1}/interactions[/{id}[/cancel]]` and the Files API paths, and
    /// returns the route with the path's version segment. One pass over the path's segments: this runs
    /// for every request.
    static func parse(_ path: String) -> (route: APIRoute, version: String)? {
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        guard let v = parts.lastIndex(where: { isVersion($0) }) else { return nil }
        let version = String(Substring(parts[v]))
        let rest = parts[(v + 1)...].map { Substring($0) }
        let isUpload = v > 0 && parts[v - 1].elementsEqual("upload".utf8)
        let route: APIRoute
        switch (rest.count, rest.first) {
        case (1, "interactions"): route = .interactions
        case (1, "files"): route = isUpload ? .upload : .files
        case (2, "interactions"):
            route = rest[1].hasSuffix(":cancel") ? .cancel(id: String(rest[1].dropLast(7))) : .interaction(id: String(rest[1]))
        case (2, "files"): route = .file(name: "files/" + rest[1])
        case (3, "interactions") where rest[2] == "cancel": route = .cancel(id: String(rest[1]))
        default: return nil
        }
        return (route, version)
    }

    static func isVersion(_ segment: Substring.UTF8View) -> Bool {
        segment.elementsEqual("v1beta".utf8) || segment.elementsEqual("v1alpha".utf8) || segment.elementsEqual("v1".utf8)
    }

    var allowedMethods: [HTTPRequest.Method] {
        switch self {
        case .interactions: return [.post]
        case .interaction: return [.get, .delete]
        case .cancel: return [.post]
        case .files: return [.get]
        case .file: return [.get, .delete]
        case .upload: return [.post]
        }
    }

    var name: String {
        switch self {
        case .interactions: return "interactions.create"
        case .interaction: return "interactions.get"
        case .cancel: return "interactions.cancel"
        case .files: return "files.list"
        case .file: return "files.get"
        case .upload: return "files.upload"
        }
    }
}

/// Answers every HTTP request: the public API, the Files API and the admin API.
public struct UnderstudyResponder: HTTPResponder {
    public typealias Context = UnderstudyContext
    let engine: Engine
    let configuration: ServerConfiguration
    let responses: Responses
    let admin: AdminAPI
    let files: FilesAPI
    let encoded = EncodedInteractions()

    public init(engine: Engine, configuration: ServerConfiguration) {
        self.engine = engine
        self.configuration = configuration
        self.responses = Responses(encoder: LegacyEncoder(options: configuration.wire))
        self.admin = AdminAPI(engine: engine, configuration: configuration, responses: responses)
        self.files = FilesAPI(engine: engine, responses: responses, bodyLimit: configuration.bodyLimitBytes)
    }

    public func respond(to request: Request, context: UnderstudyContext) async throws -> Response {
        let path = request.uri.path
        if path == AdminAPI.prefix || path.hasPrefix(AdminAPI.prefix + "/") {
            return await admin.respond(to: request, context: context)
        }
        var entry = JournalEntry(
            method: request.method.rawValue, path: path, query: request.query, headers: request.headerPairs,
            body: nil, rawBody: nil, status: 0, route: "unknown")
        let key = apiKey(request, query: entry.query)
        configuration.requestObserver?(key, request.method.rawValue, path)
        let response: Response
        do {
            response = try await route(request, path: path, context: context, key: key, entry: &entry)
        } catch {
            entry.errorMessage = error.message
            entry.status = error.httpStatus
            if let key { await engine.record(entry, tenantKey: key) }
            return responses.error(error)
        }
        entry.status = Int(response.status.code)
        if let key { await engine.record(entry, tenantKey: key) }
        return response
    }

    /// The API key from `x-goog-api-key`, else from `?key=`.
    func apiKey(_ request: Request, query: [String: String]) -> String? {
        if let h = request.headers[.googAPIKey], !h.isEmpty { return h }
        if let q = query["key"], !q.isEmpty { return q }
        return nil
    }

    func route(_ request: Request, path: String, context: UnderstudyContext, key: String?, entry: inout JournalEntry) async throws(APIError) -> Response {
        guard let (route, version) = APIRoute.parse(path) else {
            throw APIError.notFound(
                "Method not found. Understudy serves POST /v1beta/interactions, GET|DELETE /v1beta/interactions/{id}, POST /v1beta/interactions/{id}/cancel and the Files API; '\(request.method.rawValue) \(path)' is none of them.")
        }
        entry.route = route.name
        let headerMap = request.headerMap
        let query = entry.query
        guard route.allowedMethods.contains(request.method) else {
            // Google's front end answers a method a path does not have like an unknown path: 404
            // "Method not found." (its error codes have no 405). The Allow header is Understudy's hint.
            var e = APIError.notFound(
                "Method not found. '\(request.method.rawValue) \(path)' is not supported; this path allows \(route.allowedMethods.map(\.rawValue).joined(separator: ", ")).")
            e.headers["allow"] = route.allowedMethods.map(\.rawValue).joined(separator: ", ")
            throw e
        }
        switch route {
        case .interactions, .interaction, .cancel:
            try WireRevision.requested(pathVersion: version, header: headerMap["api-revision"]).requireServed()
        default: break
        }
        if route == .upload, let session = query["upload_id"] {
            return try await files.uploadChunk(request, session: session)
        }
        guard let key else {
            throw APIError.permissionDenied(
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
        }
        if route != .interactions {
            let faultRoute: Scenario.Fault.Route
            switch route {
            case .interaction: faultRoute = request.method == .delete ? .delete : (query["stream"] == "true" ? .stream : .get)
            case .cancel: faultRoute = .cancel
            default: faultRoute = .any
            }
            try await applyFault(faultRoute, request: nil, headers: headerMap, key: key, context: context, entry: &entry)
        }
        switch route {
        case .interactions:
            return try await create(request, headers: headerMap, key: key, context: context, entry: &entry)
        case .interaction(let id):
            entry.interactionID = id
            if request.method == .delete {
                try await engine.delete(id, tenantKey: key)
                return responses.json(.object([:]))
            }
            if let s = query["stream"], s != "true" && s != "false" {
                throw APIError.invalidArgument("Invalid value at 'stream' (TYPE_BOOL), \"\(s)\": expected true or false.", field: "stream")
            }
            if query["stream"] == "true" {
                entry.streamed = true
                let stream = try await engine.stream(id, tenantKey: key, lastEventID: query["last_event_id"])
                return sse(stream, channel: context.channel)
            }
            if query["last_event_id"] != nil {
                throw APIError.invalidArgument("'last_event_id' is only valid together with 'stream=true'.", field: "last_event_id")
            }
            if let s = query["include_input"], s != "true" && s != "false" {
                throw APIError.invalidArgument("Invalid value at 'include_input' (TYPE_BOOL), \"\(s)\": expected true or false.", field: "include_input")
            }
            let resets = engine.resetCount
            let record = try await engine.get(id, tenantKey: key)
            entry.interactionStatus = record.status.rawValue
            return interactionResponse(record, includeInput: query["include_input"] == "true", resets: resets)
        case .cancel(let id):
            entry.interactionID = id
            let resets = engine.resetCount
            let record = try await engine.cancel(id, tenantKey: key)
            entry.interactionStatus = record.status.rawValue
            return interactionResponse(record, resets: resets)
        case .files, .file, .upload:
            return try await files.respond(route: route, request: request, key: key)
        }
    }

    /// Injects a scripted fault (latency, dropped connection, HTTP error) if a scenario has one for this call.
    func applyFault(_ route: Scenario.Fault.Route, request: CreateRequest?, headers: [String: String], key: String, context: UnderstudyContext, entry: inout JournalEntry) async throws(APIError) {
        let tenant = try await engine.tenant(key)
        guard let fault = try engine.scenarios.fault(route: route, tenant: tenant, headers: headers, request: request) else { return }
        entry.scenario = fault.scenario
        entry.fault = JournalEntry.InjectedFault(scenario: fault.scenario, index: fault.fault)
        if fault.delayMillis > 0 { try? await Task.sleep(for: .milliseconds(fault.delayMillis)) }
        if fault.dropConnection {
            context.channel.close(mode: .all, promise: nil)
            throw APIError(httpStatus: 499, status: "CANCELLED", message: "Connection dropped by scenario '\(fault.scenario)'.")
        }
        if var error = fault.error {
            error.details.append(["@type": "type.understudy.dev/InjectedFault", "scenario": .string(fault.scenario)])
            throw error
        }
    }

    func create(_ request: Request, headers: [String: String], key: String, context: UnderstudyContext, entry: inout JournalEntry) async throws(APIError) -> Response {
        let body = try await collectBody(request, limit: configuration.bodyLimitBytes)
        let decoded: CreateRequest
        if let json = try? JSONValue.parse(body) {
            entry.body = json
            decoded = try LegacyRequestDecoder.decode(json: json)
        } else {
            entry.rawBody = String(decoding: body.prefix(64 * 1024), as: UTF8.self)
            decoded = try LegacyRequestDecoder.decode(body: body)  // reports the syntax error
        }
        try await applyFault(.create, request: decoded, headers: headers, key: key, context: context, entry: &entry)
        let outcome: CreateOutcome
        let resets = engine.resetCount
        do {
            outcome = try await engine.create(decoded, tenantKey: key, headers: headers)
        } catch {
            if let violation = error.violation {
                entry.violation = violation
                entry.scenario = error.scenario
                entry.step = error.scenarioStep
            }
            throw error
        }
        switch outcome {
        case .interaction(let record):
            entry.interactionID = record.id
            entry.interactionStatus = record.status.rawValue
            (entry.scenario, entry.step) = Self.scenarioAndStep(record.scenario)
            return interactionResponse(record, resets: resets)
        case .stream(let stream):
            entry.interactionID = stream.interactionID
            (entry.scenario, entry.step) = Self.scenarioAndStep(stream.scenario)
            entry.streamed = true
            return sse(stream, channel: context.channel)
        }
    }

    /// The interaction as JSON. A stored interaction's bytes are printed once per revision and reused
    /// by later GETs; `resets` is the engine's reset count read before the record was.
    func interactionResponse(_ record: InteractionRecord, includeInput: Bool = false, resets: Int) -> Response {
        let cacheKey = EncodedInteractions.key(record, includeInput: includeInput, resets: resets)
        if let body = encoded.get(cacheKey) { return responses.json(body: body) }
        let body = ByteBuffer(bytes: responses.encoder.interaction(record, includeInput: includeInput).serialized())
        if record.stored, engine.resetCount == resets { encoded.put(cacheKey, body) }
        return responses.json(body: body)
    }

    /// A `text/event-stream` response that writes each event as it comes and obeys scripted faults.
    func sse(_ stream: InteractionStream, channel: any Channel) -> Response {
        // A client that goes away stops the stream (and a live follower's polling) at once.
        channel.closeFuture.whenComplete { _ in stream.stop() }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let encoder = responses.encoder
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // Shutdown ends the stream (the interaction itself is already stored).
                for try await item in stream.items.cancelOnGracefulShutdown() {
                    switch item {
                    case .event(let event):
                        try await writer.write(ByteBuffer(bytes: encoder.sseFrame(event)))
                    case .malformed(let event):
                        let type = LegacyEncoder.eventType(of: event.payload)
                        let frame = "event: \(type)\ndata: {\"event_type\": \"\(type)\", this line is not JSON\n\n"
                        try await writer.write(ByteBuffer(string: frame))
                    case .unknownEvent(let type, let payload):
                        var frame = Array("event: \(type)\ndata: ".utf8)
                        frame += payload.serialized()
                        frame += Array("\n\n".utf8)
                        try await writer.write(ByteBuffer(bytes: frame))
                    case .cut:
                        // Leaving by an error makes the server close the connection without the
                        // chunked terminator: the client sees a cut stream.
                        throw StreamCut()
                    }
                }
                let terminator = encoder.sseTerminator
                if !terminator.isEmpty { try await writer.write(ByteBuffer(bytes: terminator)) }
                try await writer.finish(nil)
            })
    }
}

/// Thrown inside a streaming body to drop the connection without the chunked terminator.
struct StreamCut: Error {}

extension APIError {
    /// Scenario violation text carried by errors that scripted conversations raise.
    var violation: String? { details.first { $0["@type"]?.stringValue == ScenarioBook.violationType }?["violation"]?.stringValue }
    var scenario: String? { details.first { $0["@type"]?.stringValue == ScenarioBook.violationType }?["scenario"]?.stringValue }
    var scenarioStep: Int? { details.first { $0["@type"]?.stringValue == ScenarioBook.violationType }?["step"]?.intValue.map(Int.init) }
}

extension UnderstudyResponder {
    /// Splits a record's `name#step` into the journal's `scenario` and `step`.
    static func scenarioAndStep(_ tag: String?) -> (String?, Int?) {
        guard let tag else { return (nil, nil) }
        guard let hash = tag.lastIndex(of: "#"), let step = Int(tag[tag.index(after: hash)...]) else { return (tag, nil) }
        return (String(tag[..<hash]), step)
    }
}
