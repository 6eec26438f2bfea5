import Foundation

/// Deterministic pictures for image generation: a sky gradient, a sun and hills whose colours and
/// positions come from the seed and the prompt.
public enum PictureGenerator {
    /// Pixel size for an aspect ratio (`16:9`) and a size (`512`, `1K`, `2K`, `4K`): the longer side is
    /// 512/1024/2048/4096, the other follows the ratio.
    public static func dimensions(aspectRatio: String?, imageSize: String?) -> (width: Int, height: Int) {
        let longSide: Int
        switch (imageSize ?? "1K").uppercased() {
        case "512": longSide = 512
        case "2K": longSide = 2048
        case "4K": longSide = 4096
        default: longSide = 1024
        }
        let parts = (aspectRatio ?? "1:1").split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { return (longSide, longSide) }
        let (w, h) = (parts[0], parts[1])
        if w >= h { return (longSide, max(1, Int((Double(longSide) * h / w).rounded()))) }
        return (max(1, Int((Double(longSide) * w / h).rounded())), longSide)
    }

    /// Throws only when zlib fails (out of memory).
    public static func png(width: Int, height: Int, seed: UInt64, prompt: String) throws -> [UInt8] {
        var rng = SeededRandom(seed: seed, label: "picture|" + prompt)
        func color() -> (Double, Double, Double) { (Double(rng.below(256)), Double(rng.below(256)), Double(rng.below(256))) }
        let top = color(), bottom = color(), sun = color(), hill = color()
        let sunX = Double(width) * (0.2 + Double(rng.below(60)) / 100)
        let sunY = Double(height) * (0.15 + Double(rng.below(30)) / 100)
        let sunR = Double(min(width, height)) * (0.08 + Double(rng.below(10)) / 100)
        let hillBase = Double(height) * (0.65 + Double(rng.below(15)) / 100)
        let bands = 24
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let hillTop = (0..<width).map { x in (hillBase - Double(height) * 0.05 * sin(Double(x) / Double(max(1, width)) * 6.283 * 2)).rounded() }
        for y in 0..<height {
            // The sky is banded (flat rows compress well).
            let band = Double((y * bands) / max(1, height)) / Double(bands - 1)
            let sky = (top.0 + (bottom.0 - top.0) * band, top.1 + (bottom.1 - top.1) * band, top.2 + (bottom.2 - top.2) * band)
            let dy = Double(y) - sunY
            let halfChord = dy * dy < sunR * sunR ? (sunR * sunR - dy * dy).squareRoot() : -1
            for x in 0..<width {
                var c = sky
                if halfChord >= 0, abs(Double(x) - sunX) <= halfChord { c = sun }
                if Double(y) >= hillTop[x] { c = hill }
                let i = (y * width + x) * 3
                pixels[i] = UInt8(max(0, min(255, c.0)))
                pixels[i + 1] = UInt8(max(0, min(255, c.1)))
                pixels[i + 2] = UInt8(max(0, min(255, c.2)))
            }
        }
        return try PNG.encode(width: width, height: height, pixels: pixels)
    }
}

/// Deterministic speech stand-in: 24 kHz, 16-bit little-endian mono PCM, one tone per word, with a pitch
/// per speaker, lasting about 70 ms per character of text.
public enum SpeechGenerator {
    public static let sampleRate = 24_000
    public static let mimeType = "audio/L16;codec=pcm;rate=24000"

    /// `segments` are (speaker index, text); speaker index picks the pitch.
    public static func pcm(segments: [(speaker: Int, text: String)], seed: UInt64) -> [UInt8] {
        var samples: [Int16] = []
        for (speaker, text) in segments {
            let base = [180.0, 120.0, 240.0, 150.0][speaker % 4]
            for word in text.split(whereSeparator: { $0.isWhitespace }) {
                var rng = SeededRandom(seed: seed, label: "word|" + word.lowercased())
                let frequency = base * (0.85 + Double(rng.below(30)) / 100)
                let count = max(1, word.count) * sampleRate * 70 / 1000
                for n in 0..<count {
                    let t = Double(n) / Double(sampleRate)
                    let envelope = min(1, Double(n) / 480, Double(count - n) / 480)
                    let v = sin(2 * Double.pi * frequency * t) * 0.5 + sin(4 * Double.pi * frequency * t) * 0.15
                    samples.append(Int16(v * envelope * 12_000))
                }
                samples += [Int16](repeating: 0, count: sampleRate * 70 / 1000)  // the space
            }
        }
        let minimum = sampleRate / 2
        if samples.count < minimum { samples += [Int16](repeating: 0, count: minimum - samples.count) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(samples.count * 2)
        for s in samples {
            let u = UInt16(bitPattern: s)
            bytes.append(UInt8(u & 0xFF))
            bytes.append(UInt8(u >> 8))
        }
        return bytes
    }

    /// A RIFF/WAVE file around 16-bit mono PCM at 24 kHz.
    public static func wav(pcm: [UInt8]) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        var out = Array("RIFF".utf8) + le32(36 + pcm.count) + Array("WAVE".utf8)
        out += Array("fmt ".utf8) + le32(16) + le16(1) + le16(1) + le32(sampleRate) + le32(sampleRate * 2) + le16(2) + le16(16)
        out += Array("data".utf8) + le32(pcm.count) + pcm
        return out
    }
}
