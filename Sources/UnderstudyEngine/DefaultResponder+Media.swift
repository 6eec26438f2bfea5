import UnderstudyGenerators
import UnderstudyModel

extension DefaultResponder {
    /// Image and speech generation (`response_modalities` image/audio, image and TTS models).
    /// Returns nil when the request does not ask for generated media.
    func mediaGenerationReply(_ context: ResponseContext) -> Reply? {
        nil
    }
}
