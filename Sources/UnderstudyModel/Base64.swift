import Foundation

/// Base64 in both alphabets the API meets: standard (inline media) and URL-safe without padding (ids).
public enum Base64 {
    /// Decodes standard or URL-safe base64, with or without padding. Whitespace is not allowed.
    public static func decode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = s.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { s += String(repeating: "=", count: 4 - remainder) }
        guard let data = Data(base64Encoded: s) else { return nil }
        return [UInt8](data)
    }

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// URL-safe alphabet, no padding (the form of interaction ids). Hand-rolled: it is on the hot path.
    public static func encodeURLSafe(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(urlAlphabet[Int(n >> 18 & 63)])
            out.append(urlAlphabet[Int(n >> 12 & 63)])
            out.append(urlAlphabet[Int(n >> 6 & 63)])
            out.append(urlAlphabet[Int(n & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            out.append(urlAlphabet[Int(n >> 18 & 63)])
            out.append(urlAlphabet[Int(n >> 12 & 63)])
            if rest == 2 { out.append(urlAlphabet[Int(n >> 6 & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
