import UnderstudyModel

extension DefaultResponder {
    /// Computer Use: actions for the client to execute. Nil when no computer_use tool is declared.
    func computerUseReply(_ context: ResponseContext) -> Reply? {
        nil
    }
}
