import Crypto
import UnderstudyModel

/// The single source of every "random-looking" value Understudy emits: interaction ids, call ids, event
/// ids, thought signatures, generated text choices. Each is an HMAC-SHA256 of a label under a key derived
/// from the server's seed, so the same seed and the same requests give the same bytes, another seed gives
/// other values, and a signature can be verified later without storing it.
public struct Identity: Sendable {
    public let seed: UInt64
    private let key: KeyBox

    public init(seed: UInt64) {
        self.seed = seed
        var bytes = Array("understudy-seed:".utf8)
        withUnsafeBytes(of: seed.bigEndian) { bytes.append(contentsOf: $0) }
        key = KeyBox(SymmetricKey(data: SHA256.hash(data: bytes)))
    }

    /// 32 pseudo-random bytes for a label.
    public func bytes(_ parts: String...) -> [UInt8] { bytes(parts) }

    public func bytes(_ parts: [String]) -> [UInt8] {
        var message: [UInt8] = []
        for p in parts {
            message.append(contentsOf: p.utf8)
            message.append(0x1F)
        }
        // A copy of the keyed HMAC state: the key's pads are hashed once, not per label.
        var mac = key.keyed
        mac.update(data: message)
        return Array(mac.finalize())
    }

    /// A pseudo-random 64-bit number for a label.
    public func number(_ parts: String...) -> UInt64 {
        bytes(parts).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    static let tokenAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)
    static let lowerAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// A token of `length` characters from the URL-safe alphabet.
    public func token(_ length: Int, _ parts: String...) -> String {
        var out: [UInt8] = []
        var round = 0
        while out.count < length {
            for b in bytes(parts + ["#\(round)"]) where out.count < length {
                out.append(Self.tokenAlphabet[Int(b & 63)])
            }
            round += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A lower-case alphanumeric token, for call ids.
    public func shortID(_ length: Int, _ parts: String...) -> String {
        let b = bytes(parts)
        return String(decoding: (0..<length).map { Self.lowerAlphabet[Int(b[$0 % b.count]) % Self.lowerAlphabet.count] }, as: UTF8.self)
    }

    /// The 23-character token naming interaction number `sequence` of `tenant`.
    public func interactionToken(tenant: String, sequence: Int64) -> String {
        token(23, "interaction", tenant, String(sequence))
    }

    /// Interaction ids look like the live service's: `v1_` + URL-safe base64 of a small protobuf whose
    /// field 1 is the conversation root's token and field 2 this interaction's token.
    public static func interactionID(rootToken: String, ownToken: String) -> String {
        var proto: [UInt8] = [0x0A, UInt8(rootToken.utf8.count)]
        proto.append(contentsOf: rootToken.utf8)
        proto.append(contentsOf: [0x12, UInt8(ownToken.utf8.count)])
        proto.append(contentsOf: ownToken.utf8)
        return "v1_" + Base64.encodeURLSafe(proto)
    }

    /// The root and own tokens of an id made by `interactionID`, or nil for other strings.
    public static func tokens(ofInteractionID id: String) -> (root: String, own: String)? {
        guard id.hasPrefix("v1_"), let b = Base64.decode(String(id.dropFirst(3))), b.count >= 4, b[0] == 0x0A else { return nil }
        let n1 = Int(b[1])
        guard b.count >= 2 + n1 + 2, b[2 + n1] == 0x12 else { return nil }
        let n2 = Int(b[3 + n1])
        guard b.count == 4 + n1 + n2 else { return nil }
        return (String(decoding: b[2..<2 + n1], as: UTF8.self), String(decoding: b[(4 + n1)...], as: UTF8.self))
    }

    // MARK: Thought signatures

    /// The sentinel the live service accepted in place of a real signature.
    public static let skipSignatureSentinel = "skip_thought_signature_validator"

    /// A thought signature binds a thought to the blocks it precedes in its turn, under this seed.
    public func thoughtSignature(covering blocks: [Content]) -> String {
        var mac = bytes(["thought-signature"] + blocks.map(Self.signedForm))
        mac.insert(0x55, at: 0)  // 'U', a version marker
        return Base64.encode(mac)
    }

    public func verifyThoughtSignature(_ signature: String, covering blocks: [Content]) -> Bool {
        signature == Self.skipSignatureSentinel || signature == thoughtSignature(covering: blocks)
    }

    /// What of a block a signature covers: its identity and meaning, not incidental members.
    static func signedForm(_ c: Content) -> String {
        var o: [String: JSONValue] = ["type": .string(c.type)]
        for key in ["text", "id", "name", "arguments", "call_id"] { if let v = c.fields[key] { o[key] = v } }
        return JSONValue.object(o).jsonString
    }

    /// Signature of a built-in tool block (they carry one from SDK 1.66 on).
    public func blockSignature(_ c: Content) -> String {
        Base64.encode([0x55] + bytes("block-signature", Self.signedForm(c)).prefix(24))
    }
}

/// Holds the keyed HMAC state. `HMAC` is not marked Sendable, but this one is never mutated: it is only copied.
private final class KeyBox: @unchecked Sendable {
    /// HMAC-SHA256 with the key already absorbed; copied (a value type) for each message.
    let keyed: HMAC<SHA256>
    init(_ key: SymmetricKey) { keyed = HMAC<SHA256>(key: key) }
}
