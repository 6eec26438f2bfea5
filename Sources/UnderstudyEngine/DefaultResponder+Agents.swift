import UnderstudyGenerators
import UnderstudyModel

extension DefaultResponder {
    /// Deep Research: a deterministic multi-section report about the last user text, preceded by thought
    /// summaries of the "research" when `thinking_summaries` is not `none`.
    func deepResearchReply(_ context: ResponseContext) -> Reply {
        let topic = context.lastUserText.isEmpty ? "the requested topic" : context.lastUserText
        let short = Self.clip(topic, 120)
        var outputs: [Content] = []
        let summaries = context.request.agentConfig?["thinking_summaries"]?.stringValue ?? "auto"
        if summaries != "none" {
            outputs.append(.thought(signature: "", summary: ["Planning the research: breaking \"\(short)\" into questions."]))
            outputs.append(.thought(signature: "", summary: ["Searching sources and reading the most relevant ones."]))
            outputs.append(.thought(signature: "", summary: ["Cross-checking findings and drafting the report."]))
        }
        var rng = SeededRandom(seed: context.identity.seed, label: context.label + "|report")
        let findings = ["adoption", "performance", "cost", "ecosystem", "open questions"]
        let picked = (0..<3).map { findings[(rng.below(findings.count) + $0) % findings.count] }
        let history = context.history.count
        let report = """
            # Research report: \(short)

            ## Summary
            This report was produced by Understudy's deterministic Deep Research stand-in. It covers "\(short)" \
            and draws on \(history) turn\(history == 1 ? "" : "s") of conversation context.

            ## Findings
            1. On \(picked[0]): the simulated sources agree on a steady trend.
            2. On \(picked[1]): two simulated sources differ; both views are noted.
            3. On \(picked[2]): evidence is limited and marked as such.

            ## Sources
            - https://example.com/understudy/source-1
            - https://example.com/understudy/source-2

            ## Conclusion
            The findings above are placeholders with a stable shape, for testing clients of the agent.
            """
        outputs.append(.text(report))
        return Reply(outputs: outputs, status: .completed)
    }
}
