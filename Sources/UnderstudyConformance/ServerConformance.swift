import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import UnderstudyModel
import UnderstudyWire

/// Checks a *server* that claims to speak the Interactions API (Understudy, a proxy, the real service):
/// a battery of requests whose answers are validated against the resource schema and the behaviour rules.
public struct ServerConformance: Sendable {
    public struct Finding: Sendable {
        public var id: String
        public var passed: Bool
        public var expectation: String
        public var message: String
    }

    public var baseURL: String
    public var apiKey: String
    public var model = "gemini-2.5-flash"
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(baseURL: String, apiKey: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
    }

    typealias F = ObjectSchema.Field

    /// The Interaction resource as clients parse it; members of later revisions are tolerated.
    static let interactionSchema = SchemaType.object(ObjectSchema(
        "interaction",
        [
            F("id", .string, required: true),
            F("status", .enumeration("status", InteractionStatus.allCases.map(\.rawValue), caseInsensitive: false), required: true),
            F("object", .enumeration("object", ["interaction"], caseInsensitive: false)),
            F("model", .string), F("agent", .string), F("role", .string),
            F("created", .string), F("updated", .string),
            F("outputs", .array(APISchema.contentAllowingFutureTypes)),
            F("previous_interaction_id", .string),
            F("usage", .map(.any)),
        ],
        allowsUnknownMembers: true))

    static let eventSchema = SchemaType.object(ObjectSchema(
        "event",
        [
            F("event_type", .string, required: true), F("event_id", .string, required: true),
            F("interaction", interactionSchema), F("interaction_id", .string), F("status", .string),
            F("index", .integer), F("content", .freeObject), F("delta", .freeObject), F("error", .freeObject),
        ],
        allowsUnknownMembers: true))

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue? { try? JSONValue.parse(body) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    public func run() async throws -> [Finding] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let findings = try await battery(client)
            try await client.shutdown()
            return findings
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func send(_ client: HTTPClient, _ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "x-goog-api-key", value: apiKey)
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: body.serialized())) }
        let response = try await client.execute(request, timeout: .seconds(60))
        var collected = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: collected.readBytes(length: collected.readableBytes) ?? [])
    }

    func battery(_ client: HTTPClient) async throws -> [Finding] {
        var findings: [Finding] = []
        func check(_ id: String, _ expectation: String, _ passed: Bool, _ message: @autoclosure () -> String) {
            findings.append(Finding(id: id, passed: passed, expectation: expectation, message: passed ? "" : message()))
            progress("\(passed ? "pass" : "FAIL") \(id) \(expectation)")
        }
        func schemaProblems(_ value: JSONValue?, _ type: SchemaType) -> String? {
            guard let value else { return "the body is not JSON" }
            let problems = SchemaValidator.problems(in: value, as: type)
            return problems.isEmpty ? nil : problems.prefix(3).map(\.message).joined(separator: "; ")
        }
        func isErrorEnvelope(_ a: Answer) -> Bool {
            guard let e = a.json?["error"], e["message"]?.stringValue != nil else { return false }
            return e["code"] != nil
        }

        // Lifecycle of a plain create.
        let created = try await send(client, .POST, "/v1beta/interactions", ["model": .string(model), "input": "Say hello in three words."])
        check("SRV-001.create-ok", "A create answers 200 with an Interaction.", created.status == 200, "HTTP \(created.status): \(created.text.prefix(300))")
        let problems = schemaProblems(created.json, Self.interactionSchema)
        check("SRV-001.schema", "The Interaction matches the resource schema.", problems == nil, problems ?? "")
        let status = created.json?["status"]?.stringValue ?? ""
        check("SRV-001.status", "A foreground create ends completed or requires_action.", ["completed", "requires_action"].contains(status), "status is '\(status)'")
        guard let id = created.json?["id"]?.stringValue else { return findings }

        let fetched = try await send(client, .GET, "/v1beta/interactions/\(id)")
        check("SRV-002.get", "GET returns the stored interaction with the same id.", fetched.status == 200 && fetched.json?["id"]?.stringValue == id, "HTTP \(fetched.status)")

        let chained = try await send(client, .POST, "/v1beta/interactions", ["model": .string(model), "input": "And again?", "previous_interaction_id": .string(id)])
        check("SRV-003.chain", "A create with previous_interaction_id succeeds and echoes it.",
            chained.status == 200 && chained.json?["previous_interaction_id"]?.stringValue == id, "HTTP \(chained.status): \(chained.text.prefix(200))")

        // Storage rules.
        let unstored = try await send(client, .POST, "/v1beta/interactions", ["model": .string(model), "input": "x", "store": false])
        check("SRV-004.store-false", "store=false is answered.", unstored.status == 200, "HTTP \(unstored.status)")
        if let uid = unstored.json?["id"]?.stringValue {
            let gone = try await send(client, .GET, "/v1beta/interactions/\(uid)")
            check("SRV-004.not-retrievable", "An interaction created with store=false is not retrievable (404).", gone.status == 404, "HTTP \(gone.status)")
        }
        let conflict = try await send(client, .POST, "/v1beta/interactions", ["model": .string(model), "input": "x", "store": false, "background": true])
        check("SRV-005.store-background", "store=false with background=true is refused with 400 in the error envelope.",
            conflict.status == 400 && isErrorEnvelope(conflict), "HTTP \(conflict.status): \(conflict.text.prefix(200))")

        // Errors.
        let unknown = try await send(client, .POST, "/v1beta/interactions", ["model": .string(model), "input": "x", "bogus_field": 1])
        check("SRV-006.unknown-field", "An unknown field is refused with 400 naming it.",
            unknown.status == 400 && isErrorEnvelope(unknown) && (unknown.json?["error"]?["message"]?.stringValue ?? "").contains("bogus_field"),
            "HTTP \(unknown.status): \(unknown.text.prefix(200))")
        let missing = try await send(client, .GET, "/v1beta/interactions/v1_doesNotExist")
        check("SRV-007.unknown-id", "An unknown id is 404 in the error envelope.", missing.status == 404 && isErrorEnvelope(missing), "HTTP \(missing.status)")

        // Streaming.
        let streamed = try await send(client, .POST, "/v1beta/interactions", ["model": .string(model), "input": "Tell me a short story.", "stream": true])
        check("SRV-008.stream-ok", "stream=true answers 200 text/event-stream.",
            streamed.status == 200 && (streamed.headers.first(name: "content-type") ?? "").hasPrefix("text/event-stream"), "HTTP \(streamed.status), \(streamed.headers.first(name: "content-type") ?? "no content type")")
        let (events, framing) = Self.parseSSE(streamed.text)
        check("SRV-008.framing", "Each SSE event has exactly one compact data: line, no id: lines and no comments.", framing.isEmpty, framing.joined(separator: "; "))
        let eventProblems = events.compactMap { schemaProblems($0, Self.eventSchema) }
        check("SRV-008.event-schema", "Every event payload has event_type and event_id and valid fields.", eventProblems.isEmpty, eventProblems.first ?? "")
        let deltas = events.filter { $0["event_type"]?.stringValue == "content.delta" && $0["delta"]?["type"]?.stringValue == "text" }
            .compactMap { $0["delta"]?["text"]?.stringValue }.joined()
        let complete = events.last { $0["event_type"]?.stringValue == "interaction.complete" }
        let finalText = (complete?["interaction"]?["outputs"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "text" }.compactMap { $0["text"]?.stringValue }.joined()
        check("SRV-008.assembly", "Text deltas concatenate to the final outputs' text.", complete != nil && deltas == finalText, "deltas \"\(deltas.prefix(80))\" vs outputs \"\(finalText.prefix(80))\"")

        if let sid = events.first?["interaction"]?["id"]?.stringValue, events.count >= 4, let mid = events[events.count / 2]["event_id"]?.stringValue {
            let resumed = try await send(client, .GET, "/v1beta/interactions/\(sid)?stream=true&last_event_id=\(mid)")
            let (rest, _) = Self.parseSSE(resumed.text)
            let expected = Array(events[(events.count / 2 + 1)...]).compactMap { $0["event_id"]?.stringValue }
            check("SRV-009.resume", "Resuming after a mid-stream event id replays exactly the later events.",
                resumed.status == 200 && rest.compactMap { $0["event_id"]?.stringValue } == expected, "got \(rest.count) events, expected \(expected.count)")
        }

        // Delete.
        let deleted = try await send(client, .DELETE, "/v1beta/interactions/\(id)")
        check("SRV-010.delete", "DELETE answers 200 with a JSON object.", deleted.status == 200 && deleted.json?.objectValue != nil, "HTTP \(deleted.status): \(deleted.text.prefix(100))")
        let after = try await send(client, .GET, "/v1beta/interactions/\(id)")
        check("SRV-010.deleted", "A deleted interaction is 404.", after.status == 404, "HTTP \(after.status)")

        // Background lifecycle.
        let background = try await send(client, .POST, "/v1beta/interactions", ["model": .string(model), "input": "Work on this.", "background": true])
        check("SRV-011.background", "A background create answers in_progress at once.",
            background.status == 200 && background.json?["status"]?.stringValue == "in_progress", "HTTP \(background.status), status \(background.json?["status"]?.stringValue ?? "?")")
        if let bid = background.json?["id"]?.stringValue {
            var final = "in_progress"
            for _ in 0..<40 where final == "in_progress" {
                let poll = try await send(client, .GET, "/v1beta/interactions/\(bid)")
                final = poll.json?["status"]?.stringValue ?? "?"
                if final == "in_progress" { try await Task.sleep(for: .milliseconds(500)) }
            }
            check("SRV-011.finishes", "Polling sees the background interaction reach a terminal status.", final != "in_progress", "still \(final) after 40 polls")
        }
        return findings
    }

    /// Events of an SSE body and the framing problems found (reference §5.1).
    static func parseSSE(_ text: String) -> ([JSONValue], [String]) {
        var events: [JSONValue] = []
        var problems: [String] = []
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        for block in normalized.components(separatedBy: "\n\n") where !block.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let lines = block.split(separator: "\n", omittingEmptySubsequences: true)
            let data = lines.filter { $0.hasPrefix("data:") }
            if lines.contains(where: { $0.hasPrefix("id:") }) { problems.append("an 'id:' line (crashes SDK 1.55 together with keep-alives)") }
            if lines.contains(where: { $0.hasPrefix(":") }) { problems.append("a comment line") }
            if data.count != 1 {
                problems.append("a block with \(data.count) data: lines")
                continue
            }
            let payload = data[0].dropFirst(5).trimmingCharacters(in: .whitespaces)
            if payload == "[DONE]" { continue }
            guard let json = try? JSONValue.parse(payload) else {
                problems.append("a data: line that is not JSON")
                continue
            }
            events.append(json)
        }
        return (events, Array(Set(problems)).sorted())
    }
}
