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

    public static func encodeURLSafe(_ bytes: some Sequence<UInt8>) -> String {
        var s = encode(bytes)
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }
}
