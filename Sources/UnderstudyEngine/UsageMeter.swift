import UnderstudyModel

/// Deterministic token accounting: counts derive from the context and outputs alone, so a longer history
/// gives more input tokens and the same request always gives the same usage.
enum UsageMeter {
    /// Roughly four characters per token, at least one per non-empty text.
    static func tokens(_ text: String) -> Int { text.isEmpty ? 0 : max(1, (text.utf8.count + 3) / 4) }

    static func tokens(of block: Content) -> (modality: String, count: Int) {
        switch block.kind {
        case .image?: return ("image", 258)
        case .video?: return ("image", 258 * 10)
        case .audio?:
            // 32 tokens per second of 16-bit 24 kHz mono, or a 10 s guess for linked audio.
            let seconds = block.data.flatMap { Base64.decode($0)?.count }.map { max(1, $0 / 48_000) } ?? 10
            return ("audio", 32 * seconds)
        case .document?: return ("text", 258 * 4)
        case .text?: return ("text", tokens(block.text ?? ""))
        default:
            var copy = block.fields
            copy["signature"] = nil
            return ("text", tokens(JSONValue.object(copy).jsonString))
        }
    }

    static func measure(context: ResponseContext, outputs: [Content]) -> Usage {
        var usage = Usage()
        let request = context.request
        var inputText = tokens(request.systemInstruction ?? "")
        for tool in request.tools { inputText += tokens(tool.json.jsonString) }
        if inputText > 0 { usage.inputByModality["text", default: 0] += inputText }
        for turn in context.history {
            for block in turn.content where block.type != "thought" {
                let (modality, count) = tokens(of: block)
                usage.inputByModality[modality, default: 0] += count
            }
        }
        if usage.inputByModality.isEmpty { usage.inputByModality["text"] = 1 }
        for block in outputs {
            switch block.kind {
            case .thought?:
                let summary = block.summaryTexts.joined(separator: " ")
                usage.reasoning += 12 + tokens(summary) * 3 + reasoningBudget(request)
            case let kind? where kind.isResult && kind != .functionResult:
                usage.toolUseByModality["text", default: 0] += tokens(of: block).count
            default:
                let (modality, count) = tokens(of: block)
                usage.outputByModality[modality, default: 0] += count
            }
        }
        return usage
    }

    static func reasoningBudget(_ request: CreateRequest) -> Int {
        switch request.generationConfig.thinkingLevel ?? "high" {
        case "minimal": return 0
        case "low": return 16
        case "medium": return 48
        default: return 96
        }
    }
}
