import UnderstudyModel

/// Fills in the signatures of a reply's blocks once the blocks are final: each thought gets a signature
/// covering the blocks it precedes (up to the next thought), and built-in tool results get their own.
/// Scripted replies may leave signatures out; explicit ones (even deliberately wrong ones) are kept.
struct Sealer {
    let identity: Identity

    func seal(_ outputs: [Content]) -> [Content] {
        var sealed = outputs
        for (i, block) in outputs.enumerated() {
            if block.type == "thought", (block.signature ?? "").isEmpty {
                let covered = Array(outputs[(i + 1)...].prefix { $0.type != "thought" })
                sealed[i].fields["signature"] = .string(identity.thoughtSignature(covering: covered))
            } else if let kind = block.kind, kind.isResult, kind != .functionResult, kind != .mcpServerToolResult, block.signature == nil {
                sealed[i].fields["signature"] = .string(identity.blockSignature(block))
            }
        }
        return sealed
    }
}
