import UnderstudyModel

/// The models and agents Understudy answers for, and what each can do.
public struct Catalog: Sendable {
    public var models: Set<String>
    public var agents: Set<String>

    public static let defaultModels: Set<String> = [
        "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-3-pro-preview", "gemini-3-flash-preview",
        "gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash-lite-preview-09-2025",
        "gemini-2.5-flash-preview-native-audio-dialog", "gemini-2.5-flash-native-audio-preview-12-2025",
        "gemini-2.5-flash-image-preview", "gemini-2.5-flash-image", "gemini-3-pro-image-preview",
        "gemini-2.5-flash-preview-tts", "gemini-2.5-pro-preview-tts",
        "gemini-2.5-computer-use-preview-10-2025",
    ]
    public static let defaultAgents: Set<String> = [
        "deep-research-pro-preview-12-2025", "deep-research-preview-04-2026", "deep-research-max-preview-04-2026",
    ]

    public init(models: Set<String> = Catalog.defaultModels, agents: Set<String> = Catalog.defaultAgents) {
        self.models = models
        self.agents = agents
    }

    public func contains(_ target: Target) -> Bool {
        switch target {
        case .model(let m): return models.contains(m)
        case .agent(let a): return agents.contains(a)
        }
    }

    public static func isImageModel(_ m: String) -> Bool { m.contains("-image") }
    public static func isSpeechModel(_ m: String) -> Bool { m.hasSuffix("-tts") || m.contains("-tts-") }
    public static func isComputerUseModel(_ m: String) -> Bool { m.contains("computer-use") }
    public static func isGemini3(_ m: String) -> Bool { m.hasPrefix("gemini-3") }
    public static func isFlash(_ m: String) -> Bool { m.contains("flash") }

    /// Models that think by default (and so return thought blocks with signatures).
    public static func thinksByDefault(_ m: String) -> Bool {
        guard !isImageModel(m), !isSpeechModel(m), !m.contains("native-audio") else { return false }
        if m.contains("flash-lite") { return false }
        return m.hasPrefix("gemini-3") || m.hasPrefix("gemini-2.5")
    }

    /// Gemini 3 models validate thought signatures in stateless history; 2.5 models were lenient.
    public static func validatesSignatures(_ m: String) -> Bool { isGemini3(m) }
}
