import UnderstudyModel

extension DefaultResponder {
    /// Call and result blocks of the declared built-in tools (google_search, code_execution, url_context),
    /// placed before the answer text. Empty when no built-in tool is declared.
    func builtInToolBlocks(_ context: ResponseContext) -> [Content] {
        []
    }
}
