import UnderstudyModel

extension DefaultResponder {
    /// The predefined Computer Use actions, in the order the default responder plays them.
    static let computerActions: [(name: String, arguments: JSONValue)] = [
        ("open_web_browser", [:]),
        ("navigate", ["url": "https://www.google.com/shopping"]),
        ("type_text_at", ["x": 480, "y": 120, "press_enter": true]),
        ("scroll_document", ["direction": "down"]),
        ("click_at", ["x": 320, "y": 410]),
    ]

    /// Computer Use: one browser action per turn, as function calls the client executes
    /// (`requires_action`); after the last action, a text answer. Actions listed in
    /// `excluded_predefined_functions` are never used. Nil when no computer_use tool is declared.
    func computerUseReply(_ context: ResponseContext) -> Reply? {
        guard let tool = context.request.tools.first(where: { $0.type == "computer_use" }) else { return nil }
        let excluded = Set((tool.fields["excluded_predefined_functions"]?.arrayValue ?? []).compactMap(\.stringValue))
        let actions = Self.computerActions.filter { !excluded.contains($0.name) }
        // How many actions the conversation already went through.
        let done = context.history.filter { $0.role == .model && $0.content.contains { $0.type == "function_call" && actions.map(\.name).contains($0.name ?? "") } }.count
        guard done < actions.count else {
            let task = Self.clip(context.history.first { $0.role == .user }?.text ?? "the task", 120)
            return Reply(outputs: [.text("I completed the browser steps for: \"\(task)\". Understudy's computer-use stand-in reports no real page content.")])
        }
        let action = actions[done]
        var arguments = action.arguments
        if action.name == "type_text_at" {
            arguments["text"] = .string(Self.clip(context.history.first { $0.role == .user }?.text ?? "", 80))
        }
        let call = Content.functionCall(
            id: context.identity.shortID(8, context.label, "computer", action.name), name: action.name, arguments: arguments)
        return Reply(outputs: [.text("Next step: \(action.name.replacingOccurrences(of: "_", with: " ")).") , call], status: .requiresAction)
    }
}
