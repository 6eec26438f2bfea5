import CompressNIO
import NIOCore

/// A PNG encoder (8-bit RGB). The image data is compressed by the system's zlib (through CompressNIO);
/// only the PNG framing (filter bytes, chunks and their CRC-32) is written here, since no PNG encoder
/// exists for Linux in the package list. The pictures it is fed (bands, gradients, discs) compress to a
/// few hundred KB even at 4096 pixels.
public enum PNG {
    /// Encodes `pixels` (row-major RGB, `width * height * 3` bytes).
    /// Throws only when zlib itself fails (out of memory).
    public static func encode(width: Int, height: Int, pixels: [UInt8]) throws -> [UInt8] {
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
        chunk("IDAT", try zlib(filtered), into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    /// A zlib (RFC 1950) stream of `data`. Same zlib and same input give the same bytes, so pictures
    /// stay deterministic per seed.
    static func zlib(_ data: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: data)
        // `filtered` suits PNG rows after a filter: small values, few long repeats.
        let compressor = try ZlibCompressor(algorithm: .zlib, configuration: .init(strategy: .filtered))
        // deflateBound() sizes the output for any input, so one call finishes the stream.
        var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: input))
        try compressor.deflate(from: &input, to: &output, flush: .finish)
        return Array(output.readableBytesView)
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
