import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import UnderstudyEngine
import UnderstudyModel
import UnderstudyServer
import UnderstudyStore
import UnderstudyWire

let simpleCreate = #"{"model":"gemini-2.5-flash","input":"Tell me a joke"}"#

@Suite("HTTP server", .timeLimit(.minutes(2)))
struct ServerTests {
    @Test func createGetDeleteRoundTrip() async throws {
        try await withServer { s in
            let created = try await s.send(.POST, "/v1beta/interactions", body: simpleCreate)
            #expect(created.status == 200)
            #expect(created.headers.first(name: "content-type") == "application/json; charset=UTF-8")
            let json = try #require(created.json)
            let id = try #require(json["id"]?.stringValue)
            #expect(json["object"] == "interaction")
            #expect(json["status"] == "completed")
            #expect(json["role"] == "model")
            #expect(json["model"] == "gemini-2.5-flash")
            #expect(json["created"] == "2025-12-15T10:00:00Z")
            #expect(json["outputs"]?.arrayValue?.isEmpty == false)
            #expect(json["usage"]?["total_tokens"]?.intValue ?? 0 > 0)
            // The printed body is canonical: compact, sorted keys.
            #expect(created.text == json.jsonString)

            let fetched = try await s.send(.GET, "/v1beta/interactions/\(id)")
            #expect(fetched.status == 200)
            #expect(fetched.body == created.body)
            let notStreamed = try await s.send(.GET, "/v1beta/interactions/\(id)?stream=false")
            #expect(notStreamed.body == created.body)

            let deleted = try await s.send(.DELETE, "/v1beta/interactions/\(id)")
            #expect(deleted.status == 200)
            #expect(deleted.text == "{}")
            let gone = try await s.send(.GET, "/v1beta/interactions/\(id)")
            #expect(gone.status == 404)
            #expect(gone.text == #"{"error":{"code":404,"message":"Interaction not found.","status":"NOT_FOUND"}}"#)
            let again = try await s.send(.DELETE, "/v1beta/interactions/\(id)")
            #expect(again.status == 404)
        }
    }

    @Test func backgroundCreateCancelAndPoll() async throws {
        try await withServer(engine: { $0.backgroundPolls = 5 }) { s in
            let bg = try await s.create(#"{"model":"gemini-2.5-flash","input":"essay","background":true}"#)
            #expect(bg["status"] == "in_progress")
            #expect(bg["outputs"] == nil)
            let id = try #require(bg["id"]?.stringValue)
            let polled = try await s.send(.GET, "/v1beta/interactions/\(id)")
            #expect(polled.json?["status"] == "in_progress")
            // Cancel with an empty body and a JSON content type, as the SDK sends it.
            let cancelled = try await s.send(.POST, "/v1beta/interactions/\(id)/cancel")
            #expect(cancelled.status == 200)
            #expect(cancelled.json?["status"] == "cancelled")
            #expect(cancelled.json?["id"] == .string(id))
            let second = try await s.send(.POST, "/v1beta/interactions/\(id)/cancel")
            #expect(second.status == 400)
            #expect(second.json?["error"]?["status"] == "FAILED_PRECONDITION")
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)").json?["status"] == "cancelled")
            // The colon form of the custom method works too.
            let bg2 = try await s.create(#"{"model":"gemini-2.5-flash","input":"essay","background":true}"#)
            let colon = try await s.send(.POST, "/v1beta/interactions/\(bg2["id"]!.stringValue!):cancel")
            #expect(colon.json?["status"] == "cancelled")
            // Cancel on a foreground interaction.
            let fg = try await s.create(simpleCreate)
            let refused = try await s.send(.POST, "/v1beta/interactions/\(fg["id"]!.stringValue!)/cancel")
            #expect(refused.status == 400)
            #expect(refused.json?["error"]?["status"] == "FAILED_PRECONDITION")
        }
    }

    // MARK: Streaming

    @Test func streamingCreateIsFramedForTheSDKs() async throws {
        try await withServer(engine: { $0.textChunkSize = 8 }) { s in
            let r = try await s.send(.POST, "/v1beta/interactions?alt=sse", body: #"{"model":"gemini-3-flash-preview","input":"Explain entanglement simply","stream":true}"#)
            #expect(r.status == 200)
            #expect(r.headers.first(name: "content-type") == "text/event-stream")
            let frames = parseSSE(r.text)
            #expect(frames.count > 8)
            let types = frames.compactMap(\.event)
            #expect(types.first == "interaction.start")
            #expect(types[1] == "interaction.status_update")
            #expect(types.suffix(2) == ["interaction.status_update", "interaction.complete"])
            #expect(frames.map { $0.json?["event_id"]?.stringValue } == (1...frames.count).map { EventLog.eventID($0) })
            let id = try #require(frames.first?.json?["interaction"]?["id"]?.stringValue)
            #expect(frames[1].json?["interaction_id"] == .string(id))
            let final = try #require(frames.last?.json?["interaction"])
            #expect(final["status"] == "completed")
            // The final event's interaction is what GET returns.
            let fetched = try await s.send(.GET, "/v1beta/interactions/\(id)")
            #expect(fetched.json == final)
            // Text deltas concatenate to the text output.
            let text = frames.compactMap { f -> String? in
                guard f.event == "content.delta", f.json?["delta"]?["type"] == "text" else { return nil }
                return f.json?["delta"]?["text"]?.stringValue
            }.joined()
            #expect(text == final["outputs"]?.arrayValue?.last?["text"]?.stringValue)
            // A replay gives the same bytes.
            let replay = try await s.send(.GET, "/v1beta/interactions/\(id)?stream=true")
            #expect(replay.text == r.text)
        }
    }

    @Test(arguments: [1, 2, 4, 7])
    func resumeAfterDroppingTheConnection(_ n: Int) async throws {
        try await withServer(engine: { $0.textChunkSize = 6 }) { s in
            let response = try await s.client.execute(
                s.request(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"A fairly long question about streams","stream":true}"#),
                timeout: .seconds(60))
            #expect(response.status == .ok)
            let head = try await readFrames(response, limit: n)
            #expect(head.count == n)
            let id = try #require(head.first?.json?["interaction"]?["id"]?.stringValue)
            let lastID = try #require(head.last?.json?["event_id"]?.stringValue)
            #expect(lastID == EventLog.eventID(n))

            let resumed = try await s.send(.GET, "/v1beta/interactions/\(id)?last_event_id=\(lastID)&stream=true&alt=sse")
            #expect(resumed.status == 200)
            let tail = parseSSE(resumed.text)
            let full = parseSSE(try await s.send(.GET, "/v1beta/interactions/\(id)?stream=true").text)
            #expect(head + tail == full)
            #expect(tail.first?.json?["event_id"] == .string(EventLog.eventID(n + 1)))
        }
    }

    @Test func aStreamFollowsARunningBackgroundInteractionLive() async throws {
        try await withServer(engine: {
            $0.backgroundPolls = 1_000_000
            $0.backgroundSeconds = 30
        }) { s in
            let id = try #require(try await s.create(#"{"model":"gemini-2.5-flash","input":"long job","background":true}"#)["id"]?.stringValue)
            let response = try await s.client.execute(s.request(.GET, "/v1beta/interactions/\(id)?stream=true"), timeout: .seconds(60))
            #expect(response.status == .ok)
            var frames: [SSEFrame] = []
            var buffer = ""
            for try await chunk in response.body {
                buffer += String(decoding: chunk.readableBytesView, as: UTF8.self)
                while let end = buffer.range(of: "\n\n") {
                    frames.append(frame(String(buffer[..<end.lowerBound])))
                    buffer = String(buffer[end.upperBound...])
                    if frames.count == 2 {
                        // Both events of the running log arrived; finish the run through the admin clock.
                        let advanced = try await s.send(.POST, "/_understudy/clock/advance?tenant=key-1", body: #"{"seconds":30}"#, key: nil)
                        #expect(advanced.status == 200)
                    }
                }
            }
            #expect(frames.map(\.event).suffix(2) == ["interaction.status_update", "interaction.complete"])
            #expect(frames.last?.json?["interaction"]?["status"] == "completed")
            let replay = parseSSE(try await s.send(.GET, "/v1beta/interactions/\(id)?stream=true").text)
            #expect(frames == replay)
        }
    }

    @Test func droppingALiveStreamLeavesTheServerHealthy() async throws {
        try await withServer(engine: { $0.backgroundPolls = 1_000_000 }) { s in
            let id = try #require(try await s.create(#"{"model":"gemini-2.5-flash","input":"long job","background":true}"#)["id"]?.stringValue)
            for _ in 0..<3 {
                let response = try await s.client.execute(s.request(.GET, "/v1beta/interactions/\(id)?stream=true"), timeout: .seconds(60))
                let head = try await readFrames(response, limit: 2)
                #expect(head.count == 2)
            }
            // The interaction is still running and the server still answers.
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)").json?["status"] == "in_progress")
            let cancelled = try await s.send(.POST, "/v1beta/interactions/\(id)/cancel")
            #expect(cancelled.json?["status"] == "cancelled")
            #expect(try await s.send(.POST, "/v1beta/interactions", body: simpleCreate).status == 200)
        }
    }

    @Test func streamingABackgroundCreateFollowsItToTheEnd() async throws {
        try await withServer { s in
            let r = try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"bg","background":true,"stream":true}"#)
            let frames = parseSSE(r.text)
            #expect(frames.first?.json?["interaction"]?["status"] == "in_progress")
            #expect(frames.last?.json?["interaction"]?["status"] == "completed")
        }
    }

    @Test func resumeErrors() async throws {
        try await withServer { s in
            let id = try #require(try await s.create(simpleCreate)["id"]?.stringValue)
            let unknown = try await s.send(.GET, "/v1beta/interactions/\(id)?stream=true&last_event_id=evt_9999")
            #expect(unknown.status == 400)
            #expect(unknown.json?["error"]?["status"] == "INVALID_ARGUMENT")
            #expect(unknown.json?["error"]?["details"]?[0]?["fieldViolations"]?[0]?["field"] == "last_event_id")
            let withoutStream = try await s.send(.GET, "/v1beta/interactions/\(id)?last_event_id=evt_0001")
            #expect(withoutStream.status == 400)
            let badBool = try await s.send(.GET, "/v1beta/interactions/\(id)?stream=yes")
            #expect(badBool.status == 400)
            #expect(badBool.json?["error"]?["message"]?.stringValue?.contains("'stream'") == true)
            let missing = try await s.send(.GET, "/v1beta/interactions/v1_missing?stream=true")
            #expect(missing.status == 404)
        }
    }

    // MARK: Authentication and headers

    @Test func missingKeyIsPermissionDenied() async throws {
        try await withServer { s in
            for (method, path, body) in [(HTTPMethod.POST, "/v1beta/interactions", simpleCreate), (.GET, "/v1beta/interactions/v1_x", nil), (.DELETE, "/v1beta/interactions/v1_x", nil)] {
                let r = try await s.send(method, path, body: body, key: nil)
                #expect(r.status == 403)
                #expect(r.json == [
                    "error": [
                        "code": 403,
                        "message": "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
                        "status": "PERMISSION_DENIED",
                    ],
                ])
            }
            let empty = try await s.send(.POST, "/v1beta/interactions", body: simpleCreate, key: "")
            #expect(empty.status == 403)
        }
    }

    @Test func keyInTheQueryWorksAndTheHeaderWins() async throws {
        try await withServer { s in
            let viaQuery = try await s.send(.POST, "/v1beta/interactions?key=query-key", body: simpleCreate, key: nil)
            #expect(viaQuery.status == 200)
            let id = try #require(viaQuery.json?["id"]?.stringValue)
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)", key: "query-key").status == 200)
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)?key=query-key", key: nil).status == 200)
            // Another key is another tenant.
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)", key: "other-key").status == 404)
            // Both given: the header decides.
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)?key=other-key", key: "query-key").status == 200)
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)?key=query-key", key: "other-key").status == 404)
        }
    }

    @Test func duplicateUserAgentAndSDKHeadersAreTolerated() async throws {
        try await withServer { s in
            let r = try await s.send(.POST, "/v1beta/interactions", body: simpleCreate, headers: [
                ("Accept", "application/json"),
                ("User-Agent", "GeminiNextGenAPIClient/Python 1.55.0"),
                ("X-Stainless-Lang", "python"),
                ("user-agent", "google-genai-sdk/1.55.0 gl-python/3.11.7"),
                ("x-goog-api-client", "google-genai-sdk/1.55.0 gl-python/3.11.7"),
                ("x-stainless-retry-count", "0"),
            ])
            #expect(r.status == 200)
            #expect(r.json?["status"] == "completed")
        }
    }

    @Test func pathPrefixesAndOtherAPIVersionsAreServed() async throws {
        try await withServer { s in
            for path in ["/v1alpha/interactions", "/some/prefix/v1beta/interactions"] {
                let r = try await s.send(.POST, path, body: simpleCreate)
                #expect(r.status == 200, "\(path)")
            }
        }
    }

    /// The later `steps` revision (SDK ≥ 2: `Api-Revision: 2026-05-20`; SDK 3: `/v1`) is refused with a
    /// message saying which revision is served, never answered in the wrong shape.
    @Test func theStepsRevisionIsRefusedClearly() async throws {
        try await withServer { s in
            let v1 = try await s.send(.POST, "/v1/interactions", body: simpleCreate)
            #expect(v1.status == 400)
            #expect(v1.json?["error"]?["status"] == "FAILED_PRECONDITION")
            #expect(v1.json?["error"]?["message"]?.stringValue?.contains("steps revision") == true)
            let header = try await s.send(.POST, "/v1beta/interactions", body: simpleCreate, headers: [("Api-Revision", "2026-05-20")])
            #expect(header.status == 400)
            let optOut = try await s.send(.POST, "/v1beta/interactions", body: simpleCreate, headers: [("Api-Revision", "2026-05-07")])
            #expect(optOut.status == 200)
        }
    }

    // MARK: Errors

    @Test func malformedJSONIsRefusedNamingTheProblem() async throws {
        try await withServer { s in
            let r = try await s.send(.POST, "/v1beta/interactions", body: "{\"model\": \"gemini-2.5-flash\",\n  \"input\": \"x\",}")
            #expect(r.status == 400)
            let error = try #require(r.json?["error"])
            #expect(error["code"] == 400)
            #expect(error["status"] == "INVALID_ARGUMENT")
            let message = try #require(error["message"]?.stringValue)
            #expect(message.hasPrefix("Invalid JSON payload received."))
            #expect(message.contains("line 2, column 16"), "\(message)")
            let empty = try await s.send(.POST, "/v1beta/interactions", body: "")
            #expect(empty.status == 400)
            #expect(empty.json?["error"]?["message"]?.stringValue?.contains("empty") == true)
        }
    }

    @Test func validationErrorsCarryTheFieldViolation() async throws {
        try await withServer { s in
            let r = try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"x","generation_config":{"temperature":"hot"}}"#)
            #expect(r.status == 400)
            let error = try #require(r.json?["error"])
            #expect(error["details"]?[0]?["@type"] == "type.googleapis.com/google.rpc.BadRequest")
            #expect(error["details"]?[0]?["fieldViolations"]?[0]?["field"] == "generation_config.temperature")
            let unknownModel = try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-0","input":"x"}"#)
            #expect(unknownModel.status == 404)
        }
    }

    @Test func interactionsErrorStyleIsSelectable() async throws {
        try await withServer(server: { $0.wire.errorStyle = .interactions }) { s in
            let r = try await s.send(.GET, "/v1beta/interactions/v1_missing")
            #expect(r.status == 404)
            #expect(r.json == ["error": ["message": "Interaction not found.", "code": "not_found"]])
        }
    }

    @Test func oversizedBodyIs400PayloadSizeExceeded() async throws {
        try await withServer(server: { $0.bodyLimitBytes = 4096 }) { s in
            let big = #"{"model":"gemini-2.5-flash","input":""# + String(repeating: "x", count: 8192) + #""}"#
            let r = try await s.send(.POST, "/v1beta/interactions", body: big)
            #expect(r.status == 400)
            #expect(r.json?["error"]?["status"] == "INVALID_ARGUMENT")
            #expect(r.json?["error"]?["message"] == "Request payload size exceeds the limit: 4096 bytes.")
            // Just under the limit is fine.
            let fits = #"{"model":"gemini-2.5-flash","input":""# + String(repeating: "x", count: 3000) + #""}"#
            #expect(try await s.send(.POST, "/v1beta/interactions", body: fits).status == 200)
        }
    }

    @Test func unknownRoutesAndWrongMethodsAre404MethodNotFound() async throws {
        try await withServer { s in
            let unknown = try await s.send(.GET, "/v1beta/models")
            #expect(unknown.status == 404)
            #expect(unknown.json?["error"]?["status"] == "NOT_FOUND")
            #expect(unknown.json?["error"]?["message"]?.stringValue?.hasPrefix("Method not found.") == true)
            let deeper = try await s.send(.POST, "/v1beta/interactions/a/b/c")
            #expect(deeper.status == 404)

            let wrong = try await s.send(.PUT, "/v1beta/interactions", body: simpleCreate)
            #expect(wrong.status == 404)
            #expect(wrong.json?["error"]?["status"] == "NOT_FOUND")
            #expect(wrong.json?["error"]?["message"]?.stringValue?.hasPrefix("Method not found.") == true)
            #expect(wrong.headers.first(name: "allow") == "POST")
            let getCollection = try await s.send(.GET, "/v1beta/interactions")
            #expect(getCollection.status == 404)
            let patch = try await s.send(.PATCH, "/v1beta/interactions/v1_x")
            #expect(patch.status == 404)
            #expect(patch.headers.first(name: "allow") == "GET, DELETE")
            let getCancel = try await s.send(.GET, "/v1beta/interactions/v1_x/cancel")
            #expect(getCancel.status == 404)
        }
    }

    // MARK: Concurrency, determinism, restarts

    @Test func sixteenConcurrentClientsLoseNothing() async throws {
        try await withServer { s in
            let perClient = try await withThrowingTaskGroup(of: [String].self) { group in
                for c in 0..<16 {
                    group.addTask {
                        var ids: [String] = []
                        for i in 0..<20 {
                            let key = c % 2 == 0 ? "shared-key" : "client-\(c)"
                            let created = try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash-lite","input":"client \#(c) message \#(i)"}"#, key: key)
                            #expect(created.status == 200)
                            let id = try #require(created.json?["id"]?.stringValue)
                            let fetched = try await s.send(.GET, "/v1beta/interactions/\(id)", key: key)
                            #expect(fetched.status == 200)
                            #expect(fetched.body == created.body)
                            #expect(fetched.json?["outputs"]?[0]?["text"]?.stringValue?.contains("client \(c) message \(i)") == true)
                            ids.append(id)
                        }
                        return ids
                    }
                }
                var all: [[String]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let ids = perClient.flatMap { $0 }
            #expect(ids.count == 320)
            #expect(Set(ids).count == 320)
            #expect(try await s.engine.store.interactionCount() == 320)
            #expect(try await s.engine.store.interactionCount(tenant: "shared-key") == 160)
        }
    }

    /// A fixed sequence of requests touching every kind of answer.
    static func script(_ s: LiveServer) async throws -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        func keep(_ r: HTTPResult) -> HTTPResult {
            bodies.append(r.body)
            return r
        }
        let first = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-3-flash-preview","input":"Hello"}"#))
        let firstID = first.json?["id"]?.stringValue ?? ""
        _ = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-3-flash-preview","input":"Again","previous_interaction_id":"\#(firstID)"}"#))
        let call = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"weather?","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city","days"]}}]}"#))
        let callID = call.json?["outputs"]?.arrayValue?.last?["id"]?.stringValue ?? ""
        _ = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","previous_interaction_id":"\#(call.json?["id"]?.stringValue ?? "")","input":[{"type":"function_result","call_id":"\#(callID)","result":"sunny"}]}"#))
        let streamed = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-pro","input":"stream it","stream":true}"#))
        _ = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"x","response_format":{"type":"object","properties":{"name":{"type":"string"},"n":{"type":"integer"}},"required":["name","n"]}}"#))
        let bg = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"agent":"deep-research-pro-preview-12-2025","input":"Research TPUs","background":true}"#))
        let bgID = bg.json?["id"]?.stringValue ?? ""
        _ = keep(try await s.send(.GET, "/v1beta/interactions/\(bgID)"))
        _ = keep(try await s.send(.GET, "/v1beta/interactions/\(bgID)"))
        _ = keep(try await s.send(.GET, "/v1beta/interactions/\(bgID)?stream=true"))
        _ = keep(try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"x","bogus":1}"#))
        _ = keep(try await s.send(.GET, "/v1beta/interactions/\(firstID)?stream=true&last_event_id=evt_0003"))
        #expect(streamed.status == 200)
        return bodies
    }

    @Test func twoServersWithTheSameSeedGiveByteIdenticalBodies() async throws {
        let a = try await withServer(seed: 42) { try await Self.script($0) }
        let b = try await withServer(seed: 42) { try await Self.script($0) }
        #expect(a.count == b.count)
        for (i, (x, y)) in zip(a, b).enumerated() {
            #expect(x == y, "response \(i) differs")
        }
        let c = try await withServer(seed: 43) { try await Self.script($0) }
        #expect(a[0] != c[0])
    }

    @Test func restartOnTheSameDatabaseServesEarlierInteractions() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("understudy-server-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = dir.appendingPathComponent("data.sqlite").path
        let before = try await withServer(seed: 9, database: database) { s in
            var out: [(String, [UInt8])] = []
            let first = try await s.send(.POST, "/v1beta/interactions", body: simpleCreate)
            out.append((first.json?["id"]?.stringValue ?? "", first.body))
            let second = try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"more","previous_interaction_id":"\#(out[0].0)"}"#)
            out.append((second.json?["id"]?.stringValue ?? "", second.body))
            let streamed = try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"s","stream":true}"#)
            let id = parseSSE(streamed.text).first?.json?["interaction"]?["id"]?.stringValue ?? ""
            out.append((id, Array(streamed.text.utf8)))
            return out
        }
        try await withServer(seed: 9, database: database) { s in
            #expect(try await s.send(.GET, "/v1beta/interactions/\(before[0].0)").body == before[0].1)
            #expect(try await s.send(.GET, "/v1beta/interactions/\(before[1].0)").body == before[1].1)
            // The stored event log replays byte for byte.
            #expect(try await s.send(.GET, "/v1beta/interactions/\(before[2].0)?stream=true").body == before[2].1)
            // Chaining onto an interaction from before the restart.
            let chained = try await s.send(.POST, "/v1beta/interactions", body: #"{"model":"gemini-2.5-flash","input":"and now?","previous_interaction_id":"\#(before[1].0)"}"#)
            #expect(chained.status == 200)
            #expect(chained.json?["outputs"]?.arrayValue?.last?["text"]?.stringValue?.contains("saw 5 turns") == true)
            // Ids continue; the clock does not run back.
            let newID = try #require(chained.json?["id"]?.stringValue)
            #expect(!before.map(\.0).contains(newID))
            #expect(chained.json?["created"] == "2025-12-15T10:00:03Z")
        }
    }

    @Test func adminAPIMovesATenantsClockForRetention() async throws {
        try await withServer { s in
            let id = try #require(try await s.create(simpleCreate)["id"]?.stringValue)
            let health = try await s.send(.GET, "/_understudy/health", key: nil)
            #expect(health.json?["status"] == "ok")
            let advanced = try await s.send(.POST, "/_understudy/clock/advance?tenant=key-1", body: #"{"duration":"55d"}"#, key: nil)
            #expect(advanced.status == 200)
            #expect(advanced.json?["now"] == "2026-02-08T10:00:01Z")
            #expect(try await s.send(.GET, "/v1beta/interactions/\(id)").status == 404)
        }
    }
}
