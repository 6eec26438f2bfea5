import Testing
import UnderstudyModel
import UnderstudyStore
import UnderstudyWire

@testable import UnderstudyEngine

/// One output block of each kind, as a responder could produce it.
let outputBlocks: [Content] = [
    .text("Hello, world.", annotations: [["start_index": 0, "end_index": 5, "source": "https://example.com"]]),
    Content(type: "image", fields: ["data": "iVBORw0KGgo=", "mime_type": "image/png"]),
    Content(type: "audio", fields: ["data": "AAAA", "mime_type": "audio/l16"]),
    Content(type: "document", fields: ["uri": "https://x.test/a.pdf", "mime_type": "application/pdf"]),
    Content(type: "video", fields: ["uri": "https://x.test/v.mp4", "mime_type": "video/mp4"]),
    .thought(signature: "c2ln", summary: ["First.", "Second."]),
    .thought(signature: "c2ln", summary: []),
    .functionCall(id: "call_1", name: "get_weather", arguments: ["location": "Paris"]),
    .functionResult(callID: "call_1", name: "get_weather", result: "sunny"),
    Content(type: "code_execution_call", fields: ["id": "ce", "arguments": ["code": "print(1)", "language": "python"]]),
    Content(type: "code_execution_result", fields: ["call_id": "ce", "result": "1", "signature": "c2ln"]),
    Content(type: "url_context_call", fields: ["id": "uc", "arguments": ["urls": ["https://x.test"]]]),
    Content(type: "url_context_result", fields: ["call_id": "uc", "result": [["url": "https://x.test", "status": "success"]]]),
    Content(type: "google_search_call", fields: ["id": "gs", "arguments": ["queries": ["q"]]]),
    Content(type: "google_search_result", fields: ["call_id": "gs", "result": [["url": "u", "title": "t", "rendered_content": "<b>r</b>"]]]),
    Content(type: "mcp_server_tool_call", fields: ["id": "m", "name": "n", "server_name": "s", "arguments": [:]]),
    Content(type: "mcp_server_tool_result", fields: ["call_id": "m", "name": "n", "server_name": "s", "result": "ok"]),
    Content(type: "file_search_call", fields: ["id": "fs"]),
    Content(type: "file_search_result", fields: ["result": [["title": "a", "text": "b", "file_search_store": "s"]]]),
    Content(type: "google_maps_call", fields: ["id": "gm", "arguments": ["queries": ["cafe"]]]),
    Content(type: "google_maps_result", fields: ["call_id": "gm", "result": [["name": "Café"]]]),
    Content(type: "hologram", fields: ["depth": 3]),
]

func record(outputs: [Content], status: InteractionStatus = .completed, chunk: Int = 24) -> InteractionRecord {
    var r = InteractionRecord(
        id: "v1_log", tenant: "t", sequence: 1, target: .model("gemini-2.5-flash"), status: status, created: 1_765_792_800,
        input: [Turn(role: .user, content: [.text("q")])], outputs: outputs)
    r.chunkPlan = ChunkPlan(textChunkSize: chunk)
    if status != .inProgress { r.statusHistory.append(StatusChange(status: status, at: r.created)) }
    return r
}

func kinds(_ events: [StreamEvent]) -> [String] { events.map { LegacyEncoder.eventType(of: $0.payload) } }

@Suite("Event log")
struct EventLogTests {
    @Test func sequenceAndIdsOfACompletedInteraction() {
        let r = record(outputs: [.thought(signature: "c2ln", summary: ["Plan."]), .text("Two particles share one state.")], chunk: 14)
        let events = EventLog.events(for: r)
        #expect(kinds(events) == [
            "interaction.start", "interaction.status_update",
            "content.start", "content.delta", "content.delta", "content.stop",
            "content.start", "content.delta", "content.delta", "content.delta", "content.stop",
            "interaction.status_update", "interaction.complete",
        ])
        #expect(events.map(\.id) == ["evt_0001", "evt_0002", "evt_0003", "evt_0004", "evt_0005", "evt_0006", "evt_0007", "evt_0008", "evt_0009", "evt_0010", "evt_0011", "evt_0012", "evt_0013"])
        #expect(events.allSatisfy { $0.interactionID == "v1_log" })
        #expect(events[1].payload == .statusUpdate(.inProgress))
        #expect(events[11].payload == .statusUpdate(.completed))
        #expect(events[12].payload == .interactionComplete(r))
        #expect(events[0].payload == .interactionStart(r))
        #expect(events[3].payload == .contentDelta(index: 0, delta: Delta(type: "thought_summary", fields: ["content": ["type": "text", "text": "Plan."]])))
        #expect(events[4].payload == .contentDelta(index: 0, delta: Delta(type: "thought_signature", fields: ["signature": "c2ln"])))
        #expect(events[7].payload == .contentDelta(index: 1, delta: Delta(type: "text", fields: ["text": "Two particles "])))
        // Same record, same log: derived, not random.
        #expect(EventLog.events(for: r) == events)
    }

    @Test("content.start / delta / stop", arguments: outputBlocks)
    func blockEvents(_ block: Content) throws {
        let r = record(outputs: [.text("before"), block], chunk: 4)
        let events = EventLog.events(for: r)
        let mine = events.filter {
            switch $0.payload {
            case .contentStart(1, _), .contentDelta(1, _), .contentStop(1): return true
            default: return false
            }
        }
        // start, at least one delta, stop; contiguous.
        #expect(mine.count >= 3)
        let first = try #require(events.firstIndex { $0.id == mine.first?.id })
        #expect(Array(events[first..<(first + mine.count)]) == mine)
        guard case .contentStart(1, let head) = mine.first?.payload else { Issue.record("no start"); return }
        #expect(mine.last?.payload == .contentStop(index: 1))
        // Text, thought and media starts name the block (type and identifying members), not its payload;
        // calls and results start with the whole block, because SDK 1.55 requires their payload there.
        #expect(head.type == block.type)
        if ["text", "thought"].contains(block.type) || block.isMedia {
            for key in head.fields.keys { #expect(["id", "name", "server_name", "call_id", "mime_type"].contains(key)) }
            for key in ["id", "name", "server_name", "call_id", "mime_type"] { #expect(head.fields[key] == block.fields[key]) }
        } else {
            var expected = block
            expected.fields["signature"] = nil
            #expect(head == expected)
        }
        for e in mine.dropFirst().dropLast() {
            guard case .contentDelta(_, let d) = e.payload else { Issue.record("not a delta"); continue }
            switch block.type {
            case "text": #expect(d.type == "text")
            case "thought": #expect(["thought_summary", "thought_signature"].contains(d.type))
            default: #expect(d.type == block.type)
            }
        }
        // The deltas rebuild the block exactly.
        #expect(rebuildOutputs(events) == r.outputs)
    }

    @Test func failedRunsReportTheErrorBeforeTheFinalStatus() {
        var r = record(outputs: [.text("partial")], status: .failed)
        r.failure = InteractionFailure(code: "internal", message: "The model crashed.")
        let events = EventLog.events(for: r)
        #expect(kinds(events).suffix(3) == ["error", "interaction.status_update", "interaction.complete"])
        #expect(events[events.count - 3].payload == .error(code: "internal", message: "The model crashed."))
        #expect(events[events.count - 2].payload == .statusUpdate(.failed))
        let wireError = LegacyEncoder().event(events[events.count - 3])
        #expect(wireError["error"] == ["code": "internal", "message": "The model crashed."])
    }

    @Test func failedWithoutOutputsAndIncompleteAlsoCarryTheError() {
        var r = record(outputs: [], status: .failed)
        r.failure = InteractionFailure(code: "deadline_exceeded", message: "Too slow.")
        #expect(kinds(EventLog.events(for: r)) == ["interaction.start", "interaction.status_update", "error", "interaction.status_update", "interaction.complete"])
        r.status = .incomplete
        #expect(kinds(EventLog.events(for: r)).contains("error"))
        // A completed interaction never reports an error, even with a stale failure.
        r.status = .completed
        #expect(!kinds(EventLog.events(for: r)).contains("error"))
    }

    @Test func requiresActionAndCancelledEndWithTheirStatus() {
        let ra = EventLog.events(for: record(outputs: [.functionCall(id: "c", name: "f", arguments: [:])], status: .requiresAction))
        #expect(kinds(ra).suffix(2) == ["interaction.status_update", "interaction.complete"])
        #expect(ra[ra.count - 2].payload == .statusUpdate(.requiresAction))
        let cancelled = EventLog.events(for: record(outputs: [], status: .cancelled))
        #expect(cancelled.map(\.payload).suffix(2).first == .statusUpdate(.cancelled))
    }

    @Test func aRunningInteractionsLogHasNoEnd() {
        let running = record(outputs: [], status: .inProgress)
        #expect(kinds(EventLog.events(for: running)) == ["interaction.start", "interaction.status_update"])
        let withNote = record(outputs: [.thought(signature: "c2ln", summary: ["Searching."])], status: .inProgress)
        let events = EventLog.events(for: withNote)
        #expect(kinds(events).last == "content.stop")
        // Once finished, the log is the running log plus a tail: earlier ids keep their meaning.
        var done = withNote
        done.status = .completed
        done.outputs.append(.text("Report"))
        let final = EventLog.events(for: done)
        #expect(Array(wire(final).prefix(events.count)) == wire(events))
    }

    // MARK: Text chunking

    @Test(arguments: [1, 2, 3, 7, 24, 100])
    func chunkingNeverLosesCharacters(_ size: Int) {
        let texts = [
            "", "a", "Hello, world.", String(repeating: "word ", count: 40), String(repeating: "x", count: 97),
            "Grüße aus Köln — 東京からこんにちは 🚀🇩🇪👩‍👩‍👧 and e\u{301} combining", "  leading and trailing  ", "line\nbreaks\r\nand\ttabs",
        ]
        for text in texts {
            let pieces = EventLog.chunk(text, size: size)
            #expect(pieces.joined() == text, "size \(size): \(text.debugDescription)")
            #expect(pieces.allSatisfy { $0.count <= size } || pieces == [text], "size \(size)")
            #expect(!pieces.isEmpty)
            #expect(pieces.dropLast().allSatisfy { !$0.isEmpty })
        }
    }

    /// The chunking as first released. Stored interactions replay through `chunk`, so its output must
    /// never change: a resumed stream after an upgrade would otherwise differ from what the client saw.
    static func referenceChunk(_ text: String, size: Int) -> [String] {
        guard size > 0, text.count > size else { return [text] }
        var pieces: [String] = []
        var current = Substring(text)
        while current.count > size {
            let window = current.prefix(size)
            var cut = window.endIndex
            if let space = window.lastIndex(of: " "), space > window.startIndex { cut = current.index(after: space) }
            pieces.append(String(current[..<cut]))
            current = current[cut...]
        }
        if !current.isEmpty { pieces.append(String(current)) }
        return pieces
    }

    @Test func chunkingMatchesTheReleasedAlgorithm() {
        var m = Mutator(state: 5)
        let alphabet: [Character] = ["a", "b", " ", " ", "é", "🚀", "\n", "漢", "e\u{301}", "👩‍👩‍👧"]
        for _ in 0..<2000 {
            let text = String((0..<m.below(80)).map { _ in alphabet[m.below(alphabet.count)] })
            let size = m.below(12)
            #expect(EventLog.chunk(text, size: size) == Self.referenceChunk(text, size: size), "\(text.debugDescription) / \(size)")
        }
    }

    @Test func chunksPreferToEndAfterASpace() {
        #expect(EventLog.chunk("one two three four", size: 8) == ["one two ", "three ", "four"])
        #expect(EventLog.chunk("abcdefghij", size: 4) == ["abcd", "efgh", "ij"])
        #expect(EventLog.chunk("abc", size: 0) == ["abc"])
    }

    @Test(arguments: [1, 3, 24])
    func deltasConcatenateToTheOutputsOfARealReply(_ chunk: Int) async throws {
        let engine = try makeEngine { $0.textChunkSize = chunk }
        let (id, events) = try await engine.createStream(#"{"model":"gemini-3-flash-preview","input":"Schreib über Größe, 東京 und 🚀 — bitte ausführlich!","stream":true}"#)
        let r = try await engine.get(id, tenantKey: "key-1")
        #expect(rebuildOutputs(events) == r.outputs)
        #expect(wire(events) == wire(EventLog.events(for: r)))
        if case .interactionComplete(let final)? = events.last?.payload {
            #expect(LegacyEncoder().interaction(final) == LegacyEncoder().interaction(r))
        } else {
            Issue.record("the stream does not end with interaction.complete")
        }
    }

    @Test(arguments: ["evt_0001", "evt_0042", "evt_10000"])
    func eventIDsAndPositions(_ id: String) {
        let n = EventLog.position(ofEventID: id)
        #expect(n != nil)
        #expect(n.map(EventLog.eventID) == id)
    }

    @Test(arguments: ["", "evt_", "evt_0", "evt_0000", "evt_1", "evt_01", "evt_-001", "EVT_0001", "evt_00a1", "evt_00001", "0001", "evt_0001 "])
    func foreignEventIDsHaveNoPosition(_ id: String) {
        #expect(EventLog.position(ofEventID: id) == nil)
    }
}

@Suite("Resumption")
struct ResumptionTests {
    /// A completed, streamed interaction with several blocks and chunked text.
    func completed() async throws -> (Engine, InteractionRecord, [StreamEvent]) {
        let engine = try makeEngine { $0.textChunkSize = 10 }
        let (id, events) = try await engine.createStream(#"{"model":"gemini-3-flash-preview","input":"Explain entanglement in two sentences, please.","stream":true}"#)
        return (engine, try await engine.get(id, tenantKey: "key-1"), events)
    }

    @Test func resumingAtEveryPositionOfACompletedInteraction() async throws {
        let (engine, r, full) = try await completed()
        #expect(full.count > 8)
        #expect(wire(full) == wire(EventLog.events(for: r)))
        // From the start, without last_event_id.
        let replay = await collect(try await engine.stream(r.id, tenantKey: "key-1", lastEventID: nil))
        #expect(wire(replay) == wire(full))
        for n in 1...full.count {
            let rest = await collect(try await engine.stream(r.id, tenantKey: "key-1", lastEventID: EventLog.eventID(n)))
            #expect(rest.map(\.id) == full.dropFirst(n).map(\.id), "after evt \(n)")
            #expect(wire(rest) == Array(wire(full).dropFirst(n)), "after evt \(n)")
        }
    }

    @Test func unknownLastEventIDsAreInvalidArguments() async throws {
        let (engine, r, full) = try await completed()
        for bad in [EventLog.eventID(full.count + 1), "evt_9999", "garbage", "evt_0", "3"] {
            let e = await apiError { try await engine.stream(r.id, tenantKey: "key-1", lastEventID: bad) }
            #expect(e?.httpStatus == 400, "\(bad)")
            #expect(e?.status == "INVALID_ARGUMENT")
            #expect(e?.field == "last_event_id")
            #expect(e?.message.contains(bad) == true)
        }
        let unknown = await apiError { try await engine.stream("v1_nope", tenantKey: "key-1", lastEventID: "evt_0001") }
        #expect(unknown == .interactionNotFound)
    }

    @Test(arguments: 0...2)
    func resumingARunningBackgroundInteraction(_ n: Int) async throws {
        let engine = try makeEngine { $0.textChunkSize = 10 }
        let bg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"A long background essay","background":true}"#)
        #expect(bg.status == .inProgress)
        #expect(EventLog.events(for: bg).count == 2)
        // The attached stream counts as a poll: the run completes and the stream follows it to the end.
        let rest = await collect(try await engine.stream(bg.id, tenantKey: "key-1", lastEventID: n == 0 ? nil : EventLog.eventID(n)))
        let final = try await engine.get(bg.id, tenantKey: "key-1")
        #expect(final.status == .completed)
        let full = EventLog.events(for: final)
        #expect(rest.map(\.id) == full.dropFirst(n).map(\.id))
        #expect(wire(rest) == Array(wire(full).dropFirst(n)))
        // Positions past the running log's end are unknown while it runs.
    }

    @Test func positionsPastARunningLogAreRefused() async throws {
        let engine = try makeEngine { $0.backgroundPolls = 100 }
        let bg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","background":true}"#)
        let e = await apiError { try await engine.stream(bg.id, tenantKey: "key-1", lastEventID: "evt_0003") }
        #expect(e?.httpStatus == 400)
        #expect(e?.field == "last_event_id")
    }

    @Test func aStreamFollowsARunningInteractionUntilTheClockCompletesIt() async throws {
        let engine = try makeEngine {
            $0.backgroundPolls = 1_000_000
            $0.backgroundSeconds = 60
        }
        let bg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","background":true}"#)
        let stream = try await engine.stream(bg.id, tenantKey: "key-1", lastEventID: "evt_0001")
        var received: [StreamEvent] = []
        var advanced = false
        for await item in stream.items {
            guard case .event(let e) = item else { Issue.record("unexpected \(item)"); continue }
            received.append(e)
            if e.id == "evt_0002" && !advanced {
                advanced = true
                // Still running: move the clock past the run's deadline; the stream wakes and finishes.
                _ = try await engine.advanceClock(tenantKey: "key-1", byMillis: 60_000)
            }
        }
        let final = try await engine.get(bg.id, tenantKey: "key-1")
        #expect(final.status == .completed)
        #expect(wire(received) == Array(wire(EventLog.events(for: final)).dropFirst(1)))
    }

    @Test func cancellingARunningInteractionEndsItsStream() async throws {
        let engine = try makeEngine { $0.backgroundPolls = 1_000_000 }
        let bg = try await engine.createRecord(#"{"model":"gemini-2.5-flash","input":"x","background":true}"#)
        let stream = try await engine.stream(bg.id, tenantKey: "key-1", lastEventID: nil)
        var received: [StreamEvent] = []
        for await item in stream.items {
            guard case .event(let e) = item else { continue }
            received.append(e)
            if e.id == "evt_0002" { _ = try await engine.cancel(bg.id, tenantKey: "key-1") }
        }
        #expect(kinds(received) == ["interaction.start", "interaction.status_update", "interaction.status_update", "interaction.complete"])
        #expect(received[2].payload == .statusUpdate(.cancelled))
    }

    @Test func streamedCreateGivesTheSameLogAsALaterReplay() async throws {
        let engine = try makeEngine()
        let (id, live) = try await engine.createStream(#"{"model":"gemini-2.5-flash","input":"x","stream":true,"tools":[\#(weatherTool)]}"#)
        let replay = await collect(try await engine.stream(id, tenantKey: "key-1", lastEventID: nil))
        #expect(wire(live) == wire(replay))
        #expect(kinds(live).suffix(2) == ["interaction.status_update", "interaction.complete"])
        #expect(live[live.count - 2].payload == .statusUpdate(.requiresAction))
        let r = try await engine.get(id, tenantKey: "key-1")
        #expect(r.streamed)
    }
}
