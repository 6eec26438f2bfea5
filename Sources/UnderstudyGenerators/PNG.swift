/// A PNG encoder (8-bit RGB), with its own zlib stream: deflate with fixed Huffman codes and LZ77
/// back-references, CRC-32 and Adler-32. Written by hand because the package list has no image or zlib
/// library for Linux; the pictures it is fed (bands, gradients, discs) compress to a few hundred KB even
/// at 4096 pixels.
public enum PNG {
    /// Encodes `pixels` (row-major RGB, `width * height * 3` bytes).
    public static func encode(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count == width * height * 3, "pixel buffer size mismatch")
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // 8-bit, RGB, deflate, adaptive filtering, no interlace
        chunk("IHDR", header, into: &out)
        // Every row uses the Sub filter: flat areas become runs of zeros that deflate well.
        let stride = width * 3
        var filtered = [UInt8](repeating: 0, count: height * (stride + 1))
        for y in 0..<height {
            let row = y * stride
            let base = y * (stride + 1)
            filtered[base] = 1
            for x in 0..<stride {
                let left: UInt8 = x >= 3 ? pixels[row + x - 3] : 0
                filtered[base + 1 + x] = pixels[row + x] &- left
            }
        }
        chunk("IDAT", Zlib.compress(filtered, rowLength: stride + 1), into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    static func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        out += bigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        out += typed
        out += bigEndian(CRC32.checksum(typed))
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}

public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

public enum Adler32 {
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = min(i + 5552, bytes.count)
            while i < end {
                a += UInt32(bytes[i])
                b += a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }
}

/// zlib (RFC 1950) around one deflate (RFC 1951) block with the fixed Huffman codes.
public enum Zlib {
    /// Compresses `data`. Matches are looked for at distance 1 (runs) and at `rowLength` (the row
    /// above, for images), which is where image data repeats.
    public static func compress(_ data: [UInt8], rowLength: Int = 0) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // final block
        bits.write(1, count: 2)  // fixed Huffman
        var i = 0
        let n = data.count
        while i < n {
            var bestLength = 0, bestDistance = 0
            for distance in [1, rowLength] where distance > 0 && distance <= 32768 && i >= distance {
                var length = 0
                while length < 258 && i + length < n && data[i + length] == data[i + length - distance] { length += 1 }
                if length > bestLength {
                    bestLength = length
                    bestDistance = distance
                }
            }
            if bestLength >= 3 {
                writeLength(bestLength, &bits)
                writeDistance(bestDistance, &bits)
                i += bestLength
            } else {
                writeLiteral(Int(data[i]), &bits)
                i += 1
            }
        }
        writeLiteral(256, &bits)  // end of block
        var out: [UInt8] = [0x78, 0x01]
        out += bits.finish()
        out += PNG.bigEndian(Adler32.checksum(data))
        return out
    }

    static func writeLiteral(_ value: Int, _ bits: inout BitWriter) {
        switch value {
        case 0...143: bits.writeHuffman(0x30 + value, count: 8)
        case 144...255: bits.writeHuffman(0x190 + value - 144, count: 9)
        case 256...279: bits.writeHuffman(value - 256, count: 7)
        default: bits.writeHuffman(0xC0 + value - 280, count: 8)
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func writeLength(_ length: Int, _ bits: inout BitWriter) {
        var code = lengthBase.count - 1
        while lengthBase[code] > length { code -= 1 }
        writeLiteral(257 + code, &bits)
        if lengthExtra[code] > 0 { bits.write(UInt32(length - lengthBase[code]), count: lengthExtra[code]) }
    }

    static func writeDistance(_ distance: Int, _ bits: inout BitWriter) {
        var code = distanceBase.count - 1
        while distanceBase[code] > distance { code -= 1 }
        bits.writeHuffman(code, count: 5)
        if distanceExtra[code] > 0 { bits.write(UInt32(distance - distanceBase[code]), count: distanceExtra[code]) }
    }
}

/// Bits packed least-significant first, as deflate wants them.
struct BitWriter {
    var bytes: [UInt8] = []
    var current: UInt32 = 0
    var filled = 0

    mutating func write(_ value: UInt32, count: Int) {
        current |= (value & ((1 << UInt32(count)) - 1)) << UInt32(filled)
        filled += count
        while filled >= 8 {
            bytes.append(UInt8(current & 0xFF))
            current >>= 8
            filled -= 8
        }
    }

    /// Huffman codes are defined most-significant bit first: reverse them.
    mutating func writeHuffman(_ code: Int, count: Int) {
        var reversed: UInt32 = 0
        for i in 0..<count where code & (1 << (count - 1 - i)) != 0 { reversed |= 1 << UInt32(i) }
        write(reversed, count: count)
    }

    mutating func finish() -> [UInt8] {
        if filled > 0 { bytes.append(UInt8(current & 0xFF)) }
        return bytes
    }
}
