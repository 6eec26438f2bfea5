import UnderstudyGenerators
import UnderstudyModel

extension DefaultResponder {
    /// Image and speech generation. Image: `response_modalities` with `image`, or an image model (the
    /// guide's image_config example sends no modalities). Speech: `audio` with a TTS model. Returns nil
    /// when the request asks for neither; refuses combinations the real API refuses.
    func mediaGenerationReply(_ context: ResponseContext) throws(APIError) -> Reply? {
        let request = context.request
        let model = request.target.name
        let modalities = Set(request.responseModalities)
        let wantsImage = modalities.contains("image") || (modalities.isEmpty && Catalog.isImageModel(model))
        let wantsAudio = modalities.contains("audio")
        if modalities.contains("image") && !Catalog.isImageModel(model) {
            throw .invalidArgument("Model '\(model)' cannot produce images: response_modalities asks for IMAGE; use an image model such as 'gemini-3-pro-image-preview'.", field: "response_modalities")
        }
        if wantsAudio && !Catalog.isSpeechModel(model) {
            throw .invalidArgument("Model '\(model)' cannot produce audio: response_modalities asks for AUDIO; use a TTS model such as 'gemini-2.5-flash-preview-tts'.", field: "response_modalities")
        }
        if Catalog.isSpeechModel(model) && !wantsAudio {
            throw .invalidArgument("TTS model '\(model)' only produces audio: set response_modalities to [\"AUDIO\"].", field: "response_modalities")
        }
        if wantsImage {
            let config = request.generationConfig
            let (width, height) = PictureGenerator.dimensions(aspectRatio: config.imageAspectRatio, imageSize: config.imageSize)
            let prompt = context.lastUserText
            let png: [UInt8]
            do {
                png = try PictureGenerator.png(width: width, height: height, seed: context.identity.seed, prompt: prompt)
            } catch {
                throw .internalError("Image generation failed: \(error).")
            }
            var outputs: [Content] = []
            if modalities.isEmpty || modalities.contains("text") {
                outputs.append(.text("Here is a \(width)×\(height) image for: \"\(Self.clip(prompt, 120))\"."))
            }
            outputs.append(.media(.image, data: Base64.encode(png), mimeType: "image/png"))
            return Reply(outputs: outputs)
        }
        if wantsAudio {
            let segments = try speechSegments(context)
            let pcm = SpeechGenerator.pcm(segments: segments, seed: context.identity.seed)
            return Reply(outputs: [.media(.audio, data: Base64.encode(pcm), mimeType: SpeechGenerator.mimeType)])
        }
        return nil
    }

    /// What each speaker says. Multi-speaker configs name speakers that must appear in the prompt as
    /// `Name:`; lines are given to their speakers, the rest to the first voice.
    func speechSegments(_ context: ResponseContext) throws(APIError) -> [(speaker: Int, text: String)] {
        let text = context.lastUserText
        let speakers = context.request.generationConfig.speechConfig.compactMap(\.speaker)
        if speakers.isEmpty { return [(0, text)] }
        if speakers.count > 2 {
            throw .invalidArgument("Multi-speaker speech supports at most 2 speakers; speech_config names \(speakers.count).", field: "generation_config.speech_config")
        }
        for (i, name) in speakers.enumerated() where !text.contains("\(name):") {
            throw .invalidArgument(
                "Speaker '\(name)' of speech_config does not appear in the prompt; write its lines as '\(name): …'.",
                field: "generation_config.speech_config[\(i)].speaker")
        }
        var segments: [(speaker: Int, text: String)] = []
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingPrefix(" ")
            if let i = speakers.firstIndex(where: { trimmed.hasPrefix("\($0):") }) {
                segments.append((i, String(trimmed.dropFirst(speakers[i].count + 1))))
            } else if !trimmed.isEmpty {
                segments.append((0, String(trimmed)))
            }
        }
        return segments
    }
}
