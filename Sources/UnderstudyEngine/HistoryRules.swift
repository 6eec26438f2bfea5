import UnderstudyModel

/// Checks of the conversation a request continues: function results must answer the calls of the turn
/// before them, and in stateless history the model's turns must come back with the thought signatures
/// this server issued.
struct HistoryRules {
    let identity: Identity
    let strictSignatures: Bool

    /// Wire path of block `j` of input turn `i`, as the client wrote it.
    static func path(form: InputForm, turn i: Int, block j: Int) -> String {
        switch form {
        case .turns: return "input[\(i)].content[\(j)]"
        case .contentList: return "input[\(j)]"
        case .singleContent, .string: return "input"
        }
    }

    /// `earlier` is the history before this request's input.
    func check(earlier: [Turn], request: CreateRequest) throws(APIError) {
        var history = earlier
        for (i, turn) in request.input.enumerated() {
            switch turn.role {
            case .model:
                try checkSignatures(turn, turnIndex: i, form: request.inputForm)
            case .user:
                let results = turn.content.enumerated().filter { $0.element.type == "function_result" }
                if !results.isEmpty {
                    try checkResults(results, turnIndex: i, previous: history.last, form: request.inputForm)
                }
            }
            history.append(turn)
        }
    }

    func checkResults(_ results: [(offset: Int, element: Content)], turnIndex: Int, previous: Turn?, form: InputForm) throws(APIError) {
        let calls = (previous?.role == .model ? previous!.content : []).filter { $0.type == "function_call" }
        let callIDs = calls.compactMap(\.id)
        if calls.isEmpty {
            let p = Self.path(form: form, turn: turnIndex, block: results[0].offset)
            throw .invalidArgument(
                "Please ensure that function response turn comes immediately after a function call turn: the function_result at '\(p)' follows no function_call.",
                field: p)
        }
        var answered: Set<String> = []
        for (j, result) in results {
            let p = Self.path(form: form, turn: turnIndex, block: j)
            let callID = result.callID ?? ""
            guard callIDs.contains(callID) else {
                throw .invalidArgument(
                    "function_result.call_id '\(callID)' at '\(p).call_id' matches no function_call of the preceding model turn (expected one of: \(callIDs.map { "'\($0)'" }.joined(separator: ", "))).",
                    field: "\(p).call_id")
            }
            guard answered.insert(callID).inserted else {
                throw .invalidArgument("function_result.call_id '\(callID)' at '\(p).call_id' answers a call that was already answered in this turn.", field: "\(p).call_id")
            }
        }
        let missing = calls.filter { !answered.contains($0.id ?? "") }
        if !missing.isEmpty {
            let list = missing.map { "'\($0.id ?? "")' (\($0.name ?? "?"))" }.joined(separator: ", ")
            throw .invalidArgument(
                "Missing function_result for call_id \(list): every function_call of the preceding model turn needs a result in the same turn.",
                field: "input")
        }
    }

    func checkSignatures(_ turn: Turn, turnIndex: Int, form: InputForm) throws(APIError) {
        let blocks = turn.content
        var signedSpanOpen = false
        for (j, block) in blocks.enumerated() {
            if block.type == "thought" {
                let covered = Array(blocks[(j + 1)...].prefix { $0.type != "thought" })
                let p = Self.path(form: form, turn: turnIndex, block: j)
                if let signature = block.signature, !signature.isEmpty {
                    guard identity.verifyThoughtSignature(signature, covering: covered) else {
                        throw .invalidArgument(
                            "Thought signature at '\(p).signature' is not valid for this conversation: it was altered, belongs to other content, or was issued by another server. Send model turns back exactly as received.",
                            field: "\(p).signature")
                    }
                    signedSpanOpen = true
                } else {
                    signedSpanOpen = false
                }
            } else if block.type == "function_call", strictSignatures, !signedSpanOpen {
                let p = Self.path(form: form, turn: turnIndex, block: j)
                throw .invalidArgument(
                    "Function call '\(block.name ?? "")' at '\(p)' is missing a thought_signature. In stateless history, send the model turn back unchanged, including the thought block (with its signature) that precedes the call.",
                    field: p)
            }
        }
    }
}
