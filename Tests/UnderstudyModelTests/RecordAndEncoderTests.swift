import Testing
import UnderstudyModel
import UnderstudyWire

/// A record with every optional member set, for storage and encoder tests.
func fullRecord(status: InteractionStatus = .completed) -> InteractionRecord {
    var r = InteractionRecord(
        id: "v1_full", tenant: "tenant-a", sequence: 7, target: .model("gemini-3-flash-preview"), status: status,
        created: 1_765_792_800,
        input: [
            Turn(role: .user, content: [.text("Hi"), Content(type: "image", fields: ["data": "AAAA", "mime_type": "image/png"])]),
            Turn(role: .model, content: [.thought(signature: "c2ln", summary: ["s"]), .functionCall(id: "c1", name: "f", arguments: ["a": 1])]),
            Turn(role: .user, content: [.functionResult(callID: "c1", name: "f", result: ["ok": true])]),
        ],
        outputs: [.thought(signature: "c2ln", summary: ["Planning"]), .text("Answer", annotations: [["start_index": 0, "end_index": 6, "source": "s"]])],
        tools: [Tool(type: "function", fields: ["name": "f", "parameters": ["type": "object"]]), Tool(type: "google_search")],
        stored: true)
    r.updated = 1_765_792_805
    r.previousInteractionID = "v1_prev"
    var usage = Usage()
    usage.inputByModality = ["text": 10, "image": 258]
    usage.outputByModality = ["text": 4]
    usage.cachedByModality = ["text": 2]
    usage.toolUseByModality = ["text": 3]
    usage.reasoning = 20
    r.usage = usage
    r.systemInstruction = "Be brief."
    r.background = true
    r.streamed = true
    r.statusHistory = [StatusChange(status: .inProgress, at: 1_765_792_800), StatusChange(status: status, at: 1_765_792_805)]
    r.failure = InteractionFailure(code: "internal", message: "boom")
    r.chunkPlan = ChunkPlan(textChunkSize: 7, eventDelayMillis: 15)
    r.expiresAt = 1_765_792_800 + 55 * 86_400
    r.scenario = "weather#2"
    r.revision = 9
    return r
}

@Suite("InteractionRecord storage form")
struct RecordStorageTests {
    @Test func fullRecordRoundTripsThroughStorageJSONText() throws {
        let r = fullRecord()
        let text = r.storageJSON.jsonString
        let back = try #require(InteractionRecord(storageJSON: try JSONValue.parse(text)))
        #expect(back == r)
        #expect(back.storageJSON.jsonString == text)
    }

    static let triggers: [PendingRun.Trigger] = [
        .immediately, .afterSeconds(2.5), .afterPolls(3), .afterPollsOrSeconds(2, 20), .hold("gate"),
    ]

    @Test(arguments: triggers)
    func pendingRunRoundTrips(_ trigger: PendingRun.Trigger) throws {
        var r = fullRecord(status: .inProgress)
        var usage = Usage()
        usage.outputByModality = ["text": 5]
        var run = PendingRun(
            steps: [PendingRun.Step(status: .inProgress, trigger: trigger, note: "Searching"), PendingRun.Step(status: .inProgress, trigger: .afterPolls(1))],
            stepStartedAt: 1_765_792_801, finalOutputs: [.text("Report")], finalUsage: usage, finalStatus: .failed,
            finalFailure: InteractionFailure(code: "deadline", message: "too slow"))
        run.pollsInStep = 4
        r.pendingRun = run
        let back = try #require(InteractionRecord(storageJSON: try JSONValue.parse(r.storageJSON.serialized())))
        #expect(back == r)
        #expect(back.pendingRun == run)
    }

    @Test func minimalAgentRecordRoundTrips() throws {
        let r = InteractionRecord(id: "v1_a", tenant: "t", sequence: 1, target: .agent("deep-research-pro-preview-12-2025"), status: .inProgress, created: 5, input: [Turn(role: .user, content: [.text("x")])])
        let back = try #require(InteractionRecord(storageJSON: r.storageJSON))
        #expect(back == r)
        #expect(r.storageJSON["agent"] == "deep-research-pro-preview-12-2025")
        #expect(r.storageJSON["model"] == nil)
        #expect(r.storageJSON["v"] == .int(InteractionRecord.storageVersion))
    }

    @Test(arguments: InteractionStatus.allCases)
    func everyStatusRoundTrips(_ status: InteractionStatus) throws {
        let r = fullRecord(status: status)
        #expect(InteractionRecord(storageJSON: r.storageJSON)?.status == status)
    }

    @Test func unknownFutureContentTypesAreCarried() throws {
        var r = fullRecord()
        r.outputs.append(Content(type: "hologram", fields: ["depth": 3]))
        #expect(InteractionRecord(storageJSON: r.storageJSON)?.outputs.last == Content(type: "hologram", fields: ["depth": 3]))
    }

    @Test(arguments: [#"{}"#, #"{"id":"x"}"#, #"{"id":"x","tenant":"t","sequence":1,"status":"done","created":1,"model":"m"}"#, #"{"id":"x","tenant":"t","sequence":1,"status":"completed","created":1}"#])
    func incompleteDocumentsAreRejected(_ text: String) throws {
        #expect(InteractionRecord(storageJSON: try JSONValue.parse(text)) == nil)
    }

    @Test func pendingCallsAreTheFunctionCallsOfARequiresActionRecord() {
        var r = fullRecord(status: .requiresAction)
        r.outputs = [.thought(signature: "s", summary: []), .functionCall(id: "a", name: "f", arguments: [:]), .functionCall(id: "b", name: "g", arguments: [:])]
        #expect(r.pendingCalls.map(\.id) == ["a", "b"])
        r.status = .completed
        #expect(r.pendingCalls.isEmpty)
    }

    @Test func usageTotals() {
        let u = fullRecord().usage!
        #expect(u.totalInput == 268)
        #expect(u.totalOutput == 4)
        #expect(u.totalCached == 2)
        #expect(u.totalToolUse == 3)
        #expect(u.total == 268 + 4 + 20 + 3)
    }
}

@Suite("LegacyEncoder")
struct LegacyEncoderTests {
    @Test func interactionShape() {
        let r = fullRecord()
        let o = LegacyEncoder().interaction(r)
        #expect(o["id"] == "v1_full")
        #expect(o["object"] == "interaction")
        #expect(o["role"] == "model")
        #expect(o["model"] == "gemini-3-flash-preview")
        #expect(o["agent"] == nil)
        #expect(o["status"] == "completed")
        #expect(o["created"] == "2025-12-15T10:00:00Z")
        #expect(o["updated"] == "2025-12-15T10:00:05Z")
        #expect(o["previous_interaction_id"] == "v1_prev")
        #expect(o["outputs"] == .array(r.outputs.map(\.json)))
        // Internal members never leak onto the wire.
        let members = Set(o.objectValue?.keys.map { $0 } ?? [])
        #expect(members == ["id", "object", "role", "model", "status", "created", "updated", "previous_interaction_id", "outputs", "usage"])
    }

    @Test func agentInteractionsNameTheAgentNotAModel() {
        let r = InteractionRecord(id: "v1_a", tenant: "t", sequence: 1, target: .agent("deep-research-pro-preview-12-2025"), status: .inProgress, created: 0, input: [])
        let o = LegacyEncoder().interaction(r)
        #expect(o["agent"] == "deep-research-pro-preview-12-2025")
        #expect(o["model"] == nil)
    }

    @Test func outputsAreOmittedWhileInProgressWithoutOutputs() {
        var r = fullRecord(status: .inProgress)
        r.outputs = []
        r.usage = nil
        #expect(LegacyEncoder().interaction(r)["outputs"] == nil)
        #expect(LegacyEncoder().interaction(r)["usage"] == nil)
        // Partial outputs of a running interaction (deep research notes) are shown.
        r.outputs = [.thought(signature: "s", summary: ["Searching"])]
        #expect(LegacyEncoder().interaction(r)["outputs"]?.arrayValue?.count == 1)
        // A finished interaction always has the member, even when empty.
        r.status = .cancelled
        r.outputs = []
        #expect(LegacyEncoder().interaction(r)["outputs"] == [])
    }

    @Test(arguments: WireOptions.ThoughtTokensField.allCases)
    func usageFieldNames(_ field: WireOptions.ThoughtTokensField) throws {
        var options = WireOptions()
        options.thoughtTokensField = field
        let u = LegacyEncoder(options: options).usage(try #require(fullRecord().usage))
        let common: Set<String> = [
            "total_input_tokens", "input_tokens_by_modality", "total_cached_tokens", "cached_tokens_by_modality",
            "total_output_tokens", "output_tokens_by_modality", "total_tool_use_tokens", "tool_use_tokens_by_modality", "total_tokens",
        ]
        let expected: Set<String>
        switch field {
        case .reasoning: expected = common.union(["total_reasoning_tokens"])
        case .thought: expected = common.union(["total_thought_tokens"])
        case .both: expected = common.union(["total_reasoning_tokens", "total_thought_tokens"])
        }
        #expect(Set(u.objectValue?.keys.map { $0 } ?? []) == expected)
        #expect(u["total_input_tokens"] == 268)
        #expect(u["total_tokens"] == .int(268 + 4 + 20 + 3))
        #expect(u["input_tokens_by_modality"] == [["modality": "image", "tokens": 258], ["modality": "text", "tokens": 10]])
        for name in ["total_reasoning_tokens", "total_thought_tokens"] where expected.contains(name) {
            #expect(u[name] == 20)
        }
    }

    @Test func googleErrorEnvelopeWithFieldViolation() {
        let e = APIError.invalidArgument("Invalid value at 'stream' (TYPE_BOOL), \"yes\": expected true or false.", field: "stream")
        let body = LegacyEncoder().error(e)
        #expect(body == [
            "error": [
                "code": 400,
                "message": "Invalid value at 'stream' (TYPE_BOOL), \"yes\": expected true or false.",
                "status": "INVALID_ARGUMENT",
                "details": [[
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [["field": "stream", "description": "Invalid value at 'stream' (TYPE_BOOL), \"yes\": expected true or false."]],
                ]],
            ],
        ])
    }

    @Test func googleErrorEnvelopeWithoutFieldHasNoDetails() {
        let body = LegacyEncoder().error(.interactionNotFound)
        #expect(body == ["error": ["code": 404, "message": "Interaction not found.", "status": "NOT_FOUND"]])
    }

    @Test func googleErrorKeepsExtraDetailsAfterTheViolation() {
        var e = APIError.invalidArgument("bad", field: "f")
        e.details = [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"]]
        let details = LegacyEncoder().error(e)["error"]?["details"]?.arrayValue
        #expect(details?.count == 2)
        #expect(details?.first?["@type"] == "type.googleapis.com/google.rpc.BadRequest")
        #expect(details?.last?["reason"] == "API_KEY_INVALID")
    }

    @Test(arguments: [
        (400, "invalid_request"), (403, "permission_denied"), (401, "permission_denied"), (404, "not_found"),
        (429, "resource_exhausted"), (501, "not_implemented"), (503, "unavailable"), (500, "internal"), (504, "internal"), (409, "invalid_request"),
    ])
    func interactionsErrorStyle(_ status: Int, _ code: String) {
        var options = WireOptions()
        options.errorStyle = .interactions
        let e = APIError(httpStatus: status, status: APIError.canonicalStatus(forHTTP: status), message: "m", field: "f")
        #expect(LegacyEncoder(options: options).error(e) == ["error": ["message": "m", "code": .string(code)]])
    }

    // MARK: Events and SSE frames

    static func sampleEvents() -> [StreamEvent] {
        let r = fullRecord()
        return [
            StreamEvent(id: "evt_0001", interactionID: r.id, payload: .interactionStart(r)),
            StreamEvent(id: "evt_0002", interactionID: r.id, payload: .statusUpdate(.inProgress)),
            StreamEvent(id: "evt_0003", interactionID: r.id, payload: .contentStart(index: 0, content: Content(type: "text"))),
            StreamEvent(id: "evt_0004", interactionID: r.id, payload: .contentDelta(index: 0, delta: Delta(type: "text", fields: ["text": "line one\nline two \"quoted\""]))),
            StreamEvent(id: "evt_0005", interactionID: r.id, payload: .contentStop(index: 0)),
            StreamEvent(id: "evt_0006", interactionID: r.id, payload: .error(code: "internal", message: "boom")),
            StreamEvent(id: "evt_0007", interactionID: r.id, payload: .interactionComplete(r)),
        ]
    }

    @Test func eventShapes() {
        let enc = LegacyEncoder()
        let e = Self.sampleEvents().map(enc.event)
        #expect(e.map { $0["event_type"]?.stringValue } == [
            "interaction.start", "interaction.status_update", "content.start", "content.delta", "content.stop", "error", "interaction.complete",
        ])
        #expect(e.map { $0["event_id"]?.stringValue } == (1...7).map { "evt_000\($0)" })
        // interaction.start carries the header only: in_progress, no outputs, updated = created.
        #expect(e[0]["interaction"]?["status"] == "in_progress")
        #expect(e[0]["interaction"]?["outputs"] == nil)
        #expect(e[0]["interaction"]?["usage"] == nil)
        #expect(e[0]["interaction"]?["updated"] == "2025-12-15T10:00:00Z")
        #expect(e[0]["interaction"]?["object"] == "interaction")
        #expect(e[1] == ["event_type": "interaction.status_update", "event_id": "evt_0002", "interaction_id": "v1_full", "status": "in_progress"])
        #expect(e[2] == ["event_type": "content.start", "event_id": "evt_0003", "index": 0, "content": ["type": "text"]])
        #expect(e[3]["delta"] == ["type": "text", "text": "line one\nline two \"quoted\""])
        #expect(e[4] == ["event_type": "content.stop", "event_id": "evt_0005", "index": 0])
        #expect(e[5] == ["event_type": "error", "event_id": "evt_0006", "error": ["code": "internal", "message": "boom"]])
        #expect(e[6]["interaction"] == enc.interaction(fullRecord()))
    }

    @Test func sseFramesAreEventLinePlusOneCompactDataLine() throws {
        let enc = LegacyEncoder()
        for event in Self.sampleEvents() {
            let frame = String(decoding: enc.sseFrame(event), as: UTF8.self)
            #expect(frame.hasSuffix("\n\n"))
            let lines = frame.dropLast(2).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 2, "\(frame)")
            #expect(lines.first == Substring("event: " + LegacyEncoder.eventType(of: event.payload)))
            let data = try #require(lines.last)
            #expect(data.hasPrefix("data: {"))
            #expect(try JSONValue.parse(String(data.dropFirst(6))) == enc.event(event))
            #expect(String(data.dropFirst(6)) == enc.event(event).jsonString)
            #expect(!frame.contains("id: "))
        }
        #expect(enc.sseTerminator.isEmpty)
    }

    @Test func sseOptionalLines() {
        var options = WireOptions()
        options.sseEventLines = false
        options.sseIDLines = true
        options.sseDoneMarker = true
        let enc = LegacyEncoder(options: options)
        let frame = String(decoding: enc.sseFrame(Self.sampleEvents()[1]), as: UTF8.self)
        #expect(frame == "id: evt_0002\ndata: {\"event_id\":\"evt_0002\",\"event_type\":\"interaction.status_update\",\"interaction_id\":\"v1_full\",\"status\":\"in_progress\"}\n\n")
        #expect(enc.sseTerminator == Array("data: [DONE]\n\n".utf8))
    }

    @Test func defaultsMatchTheReference() {
        let o = WireOptions()
        #expect(o.sseEventLines && !o.sseIDLines && !o.sseDoneMarker)
        #expect(o.errorStyle == .google)
    }
}
