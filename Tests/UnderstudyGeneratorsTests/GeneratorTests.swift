import CompressNIO
import NIOCore
import Testing
import UnderstudyModel

@testable import UnderstudyGenerators

// MARK: PNG

/// Inflates a zlib stream with the system's zlib (the encoder's output is checked by a decoder that is
/// not ours; the Python suite also opens generated pictures with Pillow).
func inflate(_ zlib: [UInt8], expectedSize: Int) throws -> [UInt8] {
    var input = ByteBuffer(bytes: zlib)
    var output = ByteBufferAllocator().buffer(capacity: expectedSize + 1)
    let decompressor = try ZlibDecompressor(algorithm: .zlib)
    try decompressor.inflate(from: &input, to: &output)
    #expect(input.readableBytes == 0, "trailing bytes after the zlib stream")
    return Array(output.readableBytesView)
}

func be32(_ b: ArraySlice<UInt8>) -> UInt32 { b.reduce(0) { $0 << 8 | UInt32($1) } }

/// The chunks of a PNG: (type, data), with CRCs checked.
func chunks(_ png: [UInt8]) -> [(String, [UInt8])] {
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    var out: [(String, [UInt8])] = []
    var i = 8
    while i < png.count {
        let length = Int(be32(png[i..<i + 4]))
        let type = String(decoding: png[i + 4..<i + 8], as: UTF8.self)
        let data = Array(png[i + 8..<i + 8 + length])
        #expect(be32(png[i + 8 + length..<i + 12 + length]) == CRC32.checksum(Array(png[i + 4..<i + 8 + length])), "CRC of \(type)")
        out.append((type, data))
        i += 12 + length
    }
    return out
}

@Suite("PNG")
struct PNGTests {
    @Test func knownChecksums() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test(arguments: [(3, 2), (17, 9), (64, 64), (200, 37)])
    func inflatingGivesBackTheExactRows(width: Int, height: Int) throws {
        var rng = SeededRandom(seed: 3, label: "\(width)x\(height)")
        // Mixed content: runs, repeated rows and noise, to exercise literals and both match distances.
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width * 3 {
                pixels[y * width * 3 + x] = y % 3 == 0 ? UInt8(rng.below(256)) : (x < width ? 40 : UInt8(y % 7))
            }
        }
        let png = try PNG.encode(width: width, height: height, pixels: pixels)
        let parts = chunks(png)
        #expect(parts.map(\.0) == ["IHDR", "IDAT", "IEND"])
        #expect(be32(parts[0].1[0..<4]) == UInt32(width) && be32(parts[0].1[4..<8]) == UInt32(height))
        let zlib = parts[1].1
        #expect(zlib[0] == 0x78 && (UInt16(zlib[0]) << 8 | UInt16(zlib[1])) % 31 == 0)
        let raw = try inflate(zlib, expectedSize: height * (width * 3 + 1))
        #expect(raw.count == height * (width * 3 + 1))
        // Undo the Sub filter and compare with the input.
        let stride = width * 3
        var decoded: [UInt8] = []
        for y in 0..<height {
            let row = raw[(y * (stride + 1))..<((y + 1) * (stride + 1))]
            #expect(row.first == 1)
            var line = Array(row.dropFirst())
            for x in 3..<max(3, stride) where x < stride { line[x] = line[x] &+ line[x - 3] }
            decoded += line
        }
        #expect(decoded == pixels)
    }

    @Test(arguments: [("1:1", "1K", 1024, 1024), ("16:9", "4K", 4096, 2304), ("9:16", "2k", 1152, 2048), ("21:9", "512", 512, 219), ("1:8", "1K", 128, 1024), (nil, nil, 1024, 1024)] as [(String?, String?, Int, Int)])
    func dimensionsFollowRatioAndSize(ratio: String?, size: String?, width: Int, height: Int) {
        let d = PictureGenerator.dimensions(aspectRatio: ratio, imageSize: size)
        #expect(d.width == width && d.height == height)
    }

    @Test func picturesAreDeterministicPerSeedAndPrompt() throws {
        let a = try PictureGenerator.png(width: 64, height: 48, seed: 1, prompt: "city")
        #expect(a == (try PictureGenerator.png(width: 64, height: 48, seed: 1, prompt: "city")))
        #expect(a != (try PictureGenerator.png(width: 64, height: 48, seed: 2, prompt: "city")))
        #expect(a != (try PictureGenerator.png(width: 64, height: 48, seed: 1, prompt: "forest")))
    }

    @Test func largePicturesStaySmall() throws {
        let png = try PictureGenerator.png(width: 2048, height: 1152, seed: 0, prompt: "a futuristic city")
        #expect(png.count < 400_000)
    }
}

// MARK: Speech

@Suite("Speech")
struct SpeechTests {
    @Test func lengthFollowsTheText() {
        let short = SpeechGenerator.pcm(segments: [(0, "Hi")], seed: 0)
        let long = SpeechGenerator.pcm(segments: [(0, String(repeating: "word ", count: 40))], seed: 0)
        #expect(short.count == SpeechGenerator.sampleRate)  // half a second at two bytes per sample, minimum
        #expect(long.count > short.count * 10)
        #expect(long.count % 2 == 0)
    }

    @Test func speakersGetDifferentVoicesAndOutputIsDeterministic() {
        let alice = SpeechGenerator.pcm(segments: [(0, "hello there")], seed: 4)
        let bob = SpeechGenerator.pcm(segments: [(1, "hello there")], seed: 4)
        #expect(alice.count == bob.count && alice != bob)
        #expect(alice == SpeechGenerator.pcm(segments: [(0, "hello there")], seed: 4))
    }

    @Test func wavHeader() {
        let pcm = SpeechGenerator.pcm(segments: [(0, "test")], seed: 0)
        let wav = SpeechGenerator.wav(pcm: pcm)
        func le32(_ i: Int) -> Int { Int(wav[i]) | Int(wav[i + 1]) << 8 | Int(wav[i + 2]) << 16 | Int(wav[i + 3]) << 24 }
        #expect(String(decoding: wav[0..<4], as: UTF8.self) == "RIFF" && String(decoding: wav[8..<12], as: UTF8.self) == "WAVE")
        #expect(le32(24) == 24_000 && Int(wav[22]) == 1 && Int(wav[34]) == 16)
        #expect(le32(40) == pcm.count && le32(4) == 36 + pcm.count)
    }
}

// MARK: JSON from schema

/// A seeded generator of random JSON Schemas covering the keywords the instance generator supports.
struct SchemaMaker {
    var rng: SeededRandom

    mutating func leaf() -> JSONValue {
        switch rng.below(12) {
        case 0: return ["type": "string"]
        case 1: return ["type": "string", "minLength": .int(Int64(rng.below(5))), "maxLength": .int(Int64(5 + rng.below(10)))]
        case 2: return ["type": "string", "format": .string(["date", "date-time", "email", "uri", "uuid", "ipv4", "time"][rng.below(7)])]
        case 3: return ["type": "string", "pattern": .string(["^[a-z]{3}$", "^[A-Z][0-9]{2,4}$", "^(yes|no)$", "^\\d{3}-\\d{4}$", "^[a-f0-9]+$"][rng.below(5)])]
        case 4: return ["type": "integer", "minimum": .int(Int64(rng.below(50)) - 25), "maximum": .int(Int64(30 + rng.below(100)))]
        case 5: return ["type": "number", "exclusiveMinimum": 0, "maximum": 10]
        case 6: return ["type": "integer", "multipleOf": .int(Int64(2 + rng.below(5))), "minimum": 7]
        case 7: return ["type": "boolean"]
        case 8: return ["enum": ["a", 1, true, .null]]
        case 9: return ["const": .string("c\(rng.below(9))")]
        case 10: return ["type": ["string", "null"]]
        default: return ["type": "null"]
        }
    }

    mutating func schema(depth: Int) -> JSONValue {
        if depth > 3 { return leaf() }
        switch rng.below(7) {
        case 0, 1:
            var props: [String: JSONValue] = [:]
            for i in 0..<(1 + rng.below(4)) { props["p\(i)"] = schema(depth: depth + 1) }
            let required = props.keys.sorted().filter { _ in rng.below(2) == 0 }.map { JSONValue.string($0) }
            return ["type": "object", "properties": .object(props), "required": .array(required), "additionalProperties": .bool(rng.below(2) == 0)]
        case 2:
            let lo = rng.below(3)
            return ["type": "array", "items": schema(depth: depth + 1), "minItems": .int(Int64(lo)), "maxItems": .int(Int64(lo + 2))]
        case 3: return ["anyOf": [schema(depth: depth + 1), schema(depth: depth + 1)]]
        case 4: return ["oneOf": [["type": "string", "maxLength": 3], ["type": "integer"]]]
        case 5: return ["allOf": [["type": "object", "properties": ["a": leaf()], "required": ["a"]], ["properties": ["b": leaf()], "required": ["b"]]]]
        default: return leaf()
        }
    }
}

@Suite("JSON from schema")
struct JSONSchemaInstanceTests {
    @Test func instancesOfManyRandomSchemasValidate() {
        var maker = SchemaMaker(rng: SeededRandom(seed: 42, label: "schemas"))
        var failures: [String] = []
        for i in 0..<500 {
            let schema = maker.schema(depth: 0)
            let value = JSONSchemaInstance(seed: UInt64(i), label: "case").instance(for: schema)
            if !JSONSchemaValidator(root: schema).validate(value, schema) {
                failures.append("\(schema.jsonString) → \(value.jsonString)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) invalid instances, first: \(failures.first ?? "")")
    }

    @Test func refsDefsAndTheGuidesModerationSchema() {
        let moderation = try! JSONValue.parse(#"""
            {"$defs":{"NotSpamDetails":{"properties":{"summary":{"type":"string"},"is_safe":{"type":"boolean"}},"required":["summary","is_safe"],"type":"object"},
             "SpamDetails":{"properties":{"reason":{"type":"string"},"spam_type":{"enum":["phishing","scam","unsolicited promotion","other"],"type":"string"}},"required":["reason","spam_type"],"type":"object"}},
             "properties":{"decision":{"anyOf":[{"$ref":"#/$defs/SpamDetails"},{"$ref":"#/$defs/NotSpamDetails"}]}},"required":["decision"],"type":"object"}
            """#)
        for seed in 0..<20 {
            let value = JSONSchemaInstance(seed: UInt64(seed), label: "m").instance(for: moderation)
            #expect(JSONSchemaValidator(root: moderation).validate(value, moderation), "\(value.jsonString)")
        }
    }

    @Test func deterministicPerSeedAndLabel() {
        let schema: JSONValue = ["type": "object", "properties": ["a": ["type": "integer"], "b": ["type": "string"]], "required": ["a", "b"]]
        #expect(JSONSchemaInstance(seed: 1, label: "x").instance(for: schema) == JSONSchemaInstance(seed: 1, label: "x").instance(for: schema))
    }

    @Test func theValidatorRejectsWhatItShould() {
        let v = JSONSchemaValidator(root: .null)
        #expect(!v.validate(["a": 1], ["type": "object", "required": ["b"]]))
        #expect(!v.validate(5, ["type": "integer", "maximum": 4]))
        #expect(!v.validate("abc", ["type": "string", "pattern": "^[0-9]+$"]))
        #expect(!v.validate([1, 1], ["type": "array", "uniqueItems": true]))
        #expect(!v.validate(3, ["oneOf": [["type": "integer"], ["type": "number"]]]))
        #expect(v.validate(3.5, ["oneOf": [["type": "integer"], ["type": "number"]]]))
    }

    @Test(arguments: [
        #"{"type":"integer","minimum":-9223372036854775808,"maximum":9223372036854775807}"#,
        #"{"type":"array","minItems":1000000000,"items":{"type":"string","minLength":1000000000}}"#,
        ##"{"type":"object","properties":{"a":{"$ref":"#"},"b":{"$ref":"#"}},"required":["a","b"]}"##,
        #"{"type":"string","pattern":"(a|b|(c(d|e)*)+)+[[[[["}"#,
    ])
    func hostileSchemasAreBounded(_ text: String) throws {
        let schema = try JSONValue.parse(text)
        let value = JSONSchemaInstance(seed: 0, label: "h").instance(for: schema)
        #expect(value.serialized().count < 10_000_000)
    }
}
