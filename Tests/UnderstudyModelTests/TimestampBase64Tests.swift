import Testing
import UnderstudyModel

@Suite("Timestamp (RFC 3339)")
struct TimestampTests {
    struct Instant: Sendable, CustomTestStringConvertible {
        var seconds: Int64
        var text: String
        var testDescription: String { text }
    }

    static let instants: [Instant] = [
        Instant(seconds: 0, text: "1970-01-01T00:00:00Z"),
        Instant(seconds: -1, text: "1969-12-31T23:59:59Z"),
        Instant(seconds: -86_400, text: "1969-12-31T00:00:00Z"),
        Instant(seconds: 951_782_400, text: "2000-02-29T00:00:00Z"),
        Instant(seconds: 951_868_799, text: "2000-02-29T23:59:59Z"),
        Instant(seconds: 1_709_164_800, text: "2024-02-29T00:00:00Z"),
        Instant(seconds: 1_709_251_200, text: "2024-03-01T00:00:00Z"),
        Instant(seconds: 1_765_792_800, text: "2025-12-15T10:00:00Z"),  // the simulated clock's start
        Instant(seconds: 1_767_225_599, text: "2025-12-31T23:59:59Z"),
        Instant(seconds: 1_767_225_600, text: "2026-01-01T00:00:00Z"),
        Instant(seconds: 2_147_483_648, text: "2038-01-19T03:14:08Z"),
        Instant(seconds: 4_107_542_400, text: "2100-03-01T00:00:00Z"),  // 2100 is not a leap year
        Instant(seconds: 253_402_300_799, text: "9999-12-31T23:59:59Z"),
        Instant(seconds: -62_135_596_800, text: "0001-01-01T00:00:00Z"),
    ]

    @Test("format", arguments: instants)
    func formats(_ i: Instant) {
        #expect(Timestamp.rfc3339(i.seconds) == i.text)
    }

    @Test("parse", arguments: instants)
    func parses(_ i: Instant) {
        #expect(Timestamp.parse(i.text) == i.seconds)
    }

    @Test func everyDayOfFourCenturiesRoundTrips() {
        // 1900-01-01 to 2300-01-01, one instant per day at a varying time of day.
        var s: Int64 = -2_208_988_800
        while s < 10_413_792_000 {
            let t = s + (s / 86_400 % 86_400 + 86_400) % 86_400
            let text = Timestamp.rfc3339(t)
            if text.utf8.count != 20 || Timestamp.parse(text) != t {
                Issue.record("\(t) → \(text) → \(String(describing: Timestamp.parse(text)))")
                return
            }
            s += 86_400
        }
    }

    @Test func parsingAcceptsFractionsOffsetsAndLowerCase() {
        let base: Int64 = 1_765_792_800
        #expect(Timestamp.parse("2025-12-15T10:00:00.999Z") == base)
        #expect(Timestamp.parse("2025-12-15T10:00:00.5+00:00") == base)
        #expect(Timestamp.parse("2025-12-15T12:00:00+02:00") == base)
        #expect(Timestamp.parse("2025-12-15T04:30:00-05:30") == base)
        #expect(Timestamp.parse("2025-12-15t10:00:00z") == base)
        #expect(Timestamp.parse("2025-12-15 10:00:00Z") == base)
    }

    @Test(arguments: [
        "", "2025-12-15", "2025-12-15T10:00:00", "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z",
        "2025-12-32T00:00:00Z", "2025-12-15T24:00:00Z", "2025-12-15T10:60:00Z", "2025-12-15T10:00:00Zjunk",
        "2025/12/15T10:00:00Z", "20a5-12-15T10:00:00Z", "2025-12-15T10:00:00+0200", "2025-12-15T10:00:00+02",
    ])
    func parsingRejectsMalformedText(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}

@Suite("Base64")
struct Base64Tests {
    @Test func encodesStandardWithPaddingAndURLSafeWithout() {
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(Base64.encodeURLSafe([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64.encodeURLSafe(Array("f".utf8)) == "Zg")
    }

    @Test func decodesBothAlphabetsWithOrWithoutPadding() {
        #expect(Base64.decode("Zg==") == Array("f".utf8))
        #expect(Base64.decode("Zg") == Array("f".utf8))
        #expect(Base64.decode("Zm8") == Array("fo".utf8))
        #expect(Base64.decode("+/+/") == [0xFB, 0xFF, 0xBF])
        #expect(Base64.decode("-_-_") == [0xFB, 0xFF, 0xBF])
        #expect(Base64.decode("") == [])
    }

    @Test(arguments: ["Z", "Zm9v!", "Zm 9", "Zm9\n", "Zg===", "Z=g=", "Zm9v*A=="])
    func rejectsInvalidText(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test func everyByteValueAndLengthRoundTrips() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64.decode(Base64.encodeURLSafe(bytes)) == bytes)
            #expect(!Base64.encodeURLSafe(bytes).contains { "+/=".contains($0) })
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(all)) == all)
    }
}

@Suite("Durations")
struct DurationTextTests {
    @Test func unitsAndBareSeconds() {
        #expect(DurationText.parseMillis("1500ms") == 1500)
        #expect(DurationText.parseMillis("90s") == 90_000)
        #expect(DurationText.parseMillis("15m") == 900_000)
        #expect(DurationText.parseMillis("24h") == 86_400_000)
        #expect(DurationText.parseMillis("55d") == Int64(4_752_000_000))
        #expect(DurationText.parseMillis("2") == 2000)
        #expect(DurationText.parseMillis("1.5s") == 1500)
        #expect(DurationText.parseMillis("soon") == nil)
        #expect(DurationText.parseMillis("5 parsecs") == nil)
    }
}
