import UnderstudyGenerators
import UnderstudyModel

/// Capabilities of the guide beyond plain text. Each returns nil (or nothing) when the request does not
/// ask for it.
extension DefaultResponder {
    /// Image and speech generation (`response_modalities` image/audio, image and TTS models).
    func mediaGenerationReply(_ context: ResponseContext) -> Reply? {
        nil
    }

    /// Computer Use: actions for the client to execute.
    func computerUseReply(_ context: ResponseContext) -> Reply? {
        nil
    }

    /// Call and result blocks of the declared built-in tools (google_search, code_execution, url_context).
    func builtInToolBlocks(_ context: ResponseContext) -> [Content] {
        []
    }

    /// With `response_format`, the JSON text that the last text output becomes.
    func structuredOutput(_ context: ResponseContext) -> String? {
        guard let schema = context.request.responseFormat else { return nil }
        let value = JSONSchemaInstance(seed: context.identity.seed, label: context.label + "|structured").instance(for: schema)
        return value.jsonString
    }
}
