import UnderstudyModel

/// The event log of an interaction, derived from its stored record.
///
/// Storing the record (outputs, status history, chunk plan) stores the log: the same record always yields
/// the same events with the same ids, a running interaction's log only grows at its end, and a resume
/// after a restart replays exactly what a live client saw. Event ids are `evt_` and the 1-based position.
public enum EventLog {
    public static func events(for record: InteractionRecord) -> [StreamEvent] {
        var payloads: [StreamEventPayload] = [.interactionStart(record), .statusUpdate(.inProgress)]
        for (index, block) in record.outputs.enumerated() {
            payloads.append(contentsOf: contentEvents(index: index, block: block, plan: record.chunkPlan))
        }
        if record.status != .inProgress {
            if let failure = record.failure, record.status == .failed || record.status == .incomplete {
                payloads.append(.error(code: failure.code, message: failure.message))
            }
            payloads.append(.statusUpdate(record.status))
            payloads.append(.interactionComplete(record))
        }
        return payloads.enumerated().map { n, p in StreamEvent(id: eventID(n + 1), interactionID: record.id, payload: p) }
    }

    public static func eventID(_ position: Int) -> String {
        let digits = String(position)
        return "evt_" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Position (1-based) of an event id, or nil if it is not an id this log could contain.
    public static func position(ofEventID id: String) -> Int? {
        guard id.hasPrefix("evt_"), let n = Int(id.dropFirst(4)), n > 0, eventID(n) == id else { return nil }
        return n
    }

    /// `content.start`, the deltas and `content.stop` of one output block.
    static func contentEvents(index: Int, block: Content, plan: ChunkPlan) -> [StreamEventPayload] {
        var events: [StreamEventPayload] = []
        var head = Content(type: block.type)
        if ["text", "thought"].contains(block.type) || block.isMedia {
            // Text, thoughts and media open with their identity; their payload comes in deltas.
            for key in ["id", "name", "server_name", "call_id", "mime_type"] { if let v = block.fields[key] { head.fields[key] = v } }
        } else {
            // Calls and results open with the whole block (SDK 1.55 requires e.g. `arguments` and
            // `result` in the content of content.start; without them the event does not parse).
            head = block
            head.fields["signature"] = nil
        }
        events.append(.contentStart(index: index, content: head))
        for delta in deltas(of: block, plan: plan) {
            events.append(.contentDelta(index: index, delta: delta))
        }
        events.append(.contentStop(index: index))
        return events
    }

    /// Deltas whose concatenation rebuilds the block.
    static func deltas(of block: Content, plan: ChunkPlan) -> [Delta] {
        switch block.type {
        case "text":
            let chunks = chunk(block.text ?? "", size: plan.textChunkSize)
            return chunks.enumerated().map { n, piece in
                var d = Delta(type: "text", fields: ["text": .string(piece)])
                if n == chunks.count - 1, let annotations = block.fields["annotations"] { d.fields["annotations"] = annotations }
                return d
            }
        case "thought":
            var out: [Delta] = (block.fields["summary"]?.arrayValue ?? []).map {
                Delta(type: "thought_summary", fields: ["content": $0])
            }
            if let signature = block.signature {
                out.append(Delta(type: "thought_signature", fields: ["signature": .string(signature)]))
            }
            return out
        default:
            // Calls, results and media arrive whole, in one delta of the block's own type.
            return [Delta(type: block.type, fields: block.fields)]
        }
    }

    /// Splits text into pieces of at most `size` characters, preferring to cut after a space.
    static func chunk(_ text: String, size: Int) -> [String] {
        guard size > 0 else { return [text] }
        var pieces: [String] = []
        var current = Substring(text)
        // Walks indices instead of counting the rest each round, so long texts chunk in linear time.
        while let limit = current.index(current.startIndex, offsetBy: size, limitedBy: current.endIndex), limit < current.endIndex {
            let window = current[..<limit]
            var cut = limit
            if let space = window.lastIndex(of: " "), space > window.startIndex {
                cut = current.index(after: space)
            }
            pieces.append(String(current[..<cut]))
            current = current[cut...]
        }
        if !current.isEmpty || pieces.isEmpty { pieces.append(String(current)) }
        return pieces
    }
}
