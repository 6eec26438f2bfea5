import UnderstudyModel

/// The API revisions a request can ask for, and which of them this build serves.
///
/// Revisions are chosen the way Google chose them (reference §8.1): the `Api-Revision` request header,
/// and the `/v1` path of the GA API. Only the Dec-2025 `outputs` revision has a codec today
/// (`LegacyRequestDecoder`/`LegacyEncoder`); a `steps` codec would be added beside it and selected here,
/// without touching the engine, which works on revision-neutral types.
public enum WireRevision: String, Sendable, CaseIterable {
    /// The Dec-2025 revision with `outputs` (SDK 1.55 – 1.75). Also selected by the explicit
    /// opt-out value `2026-05-07`.
    case outputs = "2025-12"
    /// The May-2026 revision with `steps` (`Api-Revision: 2026-05-20`, SDK 2.x, and `/v1` for SDK 3.x).
    case steps = "2026-05-20"

    public var isServed: Bool { self == .outputs }

    /// The revision a request asks for, from its path's version segment and its `Api-Revision` header.
    public static func requested(pathVersion: String, header: String?) throws(APIError) -> WireRevision {
        if let header, !header.isEmpty {
            switch header {
            case "2026-05-07", "2025-12", "legacy": return .outputs
            case "2026-05-20": return .steps
            default:
                throw APIError.invalidArgument(
                    "Unknown Api-Revision '\(header)'. Known revisions: 2026-05-07 (the Dec-2025 'outputs' schema) and 2026-05-20 ('steps').",
                    field: "Api-Revision")
            }
        }
        return pathVersion == "v1" ? .steps : .outputs
    }

    /// Refuses revisions this build has no codec for, with an error that says what to do.
    public func requireServed() throws(APIError) {
        guard !isServed else { return }
        throw APIError.failedPrecondition(
            "This Understudy build serves the Dec-2025 Interactions revision ('outputs', /v1beta without an Api-Revision header, as google-genai 1.55–1.75 send it). The '\(rawValue)' steps revision (Api-Revision: 2026-05-20 or /v1 paths, SDK ≥ 2.0) is not implemented yet.")
    }
}
