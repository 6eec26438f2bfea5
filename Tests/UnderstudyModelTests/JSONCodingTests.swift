import Testing
import UnderstudyModel

@Suite("JSON parser and printer")
struct JSONCodingTests {
    // MARK: Round trips

    static let documents: [String] = [
        #"null"#, #"true"#, #"false"#, #"0"#, #"-12"#, #"9223372036854775807"#, #"-9223372036854775808"#,
        #"1.5"#, #"-0.25"#, #"1.0e-7"#, #""""#, #""plain""#, #"[]"#, #"{}"#,
        #"{"a":[1,2.5,"x",null,true,{"b":{}}],"c":"\u00e9\ud83d\ude00\n\t\"\\"}"#,
        #"[[[[[[[[[[["deep"]]]]]]]]]]]"#,
        #"{"emoji":"👩‍👩‍👧","cjk":"漢字","rtl":"שלום","nul":"\u0000"}"#,
    ]

    @Test("parse → print → parse is the identity", arguments: documents)
    func roundTrip(_ text: String) throws {
        let value = try JSONValue.parse(text)
        let printed = value.serialized()
        let again = try JSONValue.parse(printed)
        #expect(again == value)
        // Printing is a fixed point: the second print gives the same bytes.
        #expect(again.serialized() == printed)
    }

    @Test func printingIsCompactAndSortsKeysByUTF8() throws {
        let value = try JSONValue.parse(#"{ "b" : 1 , "a" : { "z" : [ 1 , 2 ] , "y" : null }, "B": 3, "é": 4, "aa": 5 }"#)
        #expect(value.jsonString == #"{"B":3,"a":{"y":null,"z":[1,2]},"aa":5,"b":1,"é":4}"#)
    }

    @Test func equalValuesPrintEqualBytesWhateverTheInsertionOrder() {
        var a: [String: JSONValue] = [:]
        var b: [String: JSONValue] = [:]
        let keys = (0..<200).map { "key\($0)" }
        for k in keys { a[k] = .string(k) }
        for k in keys.reversed() { b[k] = .string(k) }
        #expect(JSONValue.object(a).serialized() == JSONValue.object(b).serialized())
    }

    // MARK: Numbers

    @Test func integersAndDoublesStayApart() throws {
        #expect(try JSONValue.parse("1") == .int(1))
        #expect(try JSONValue.parse("-0") == .int(0))
        #expect(try JSONValue.parse("1.0") == .double(1.0))
        #expect(try JSONValue.parse("1e2") == .double(100))
        #expect(try JSONValue.parse("1E+2") == .double(100))
        #expect(try JSONValue.parse("9223372036854775807") == .int(Int64.max))
        // Beyond Int64: read as a double rather than refused or truncated.
        #expect(try JSONValue.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test func wholeDoublesPrintWithAFractionSoTheyReadBackAsDoubles() throws {
        #expect(JSONValue.double(1).jsonString == "1.0")
        #expect(JSONValue.double(-3).jsonString == "-3.0")
        #expect(JSONValue.int(1).jsonString == "1")
        #expect(JSONValue.double(0.1).jsonString == "0.1")
        for d in [0.1, 1.0 / 3.0, 1e-7, 123456.789, 1e20, -2.5e-300, 4_503_599_627_370_497.0] {
            #expect(try JSONValue.parse(JSONValue.double(d).jsonString) == .double(d), "\(d)")
        }
    }

    @Test func nonFiniteDoublesPrintAsNull() {
        #expect(JSONValue.double(.nan).jsonString == "null")
        #expect(JSONValue.double(.infinity).jsonString == "null")
    }

    @Test func accessorsConvertBetweenNumberKinds() {
        #expect(JSONValue.double(3).intValue == 3)
        #expect(JSONValue.double(3.5).intValue == nil)
        #expect(JSONValue.int(3).doubleValue == 3)
        #expect(JSONValue.string("3").intValue == nil)
    }

    // MARK: Strings

    @Test func unicodeEscapesAndSurrogatePairsDecode() throws {
        #expect(try JSONValue.parse(#""\u00e9""#) == .string("é"))
        #expect(try JSONValue.parse(#""\u00E9""#) == .string("é"))
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue.parse(#""a\u0000b""#) == .string("a\u{0}b"))
        #expect(try JSONValue.parse(#""\/\b\f\n\r\t\"\\""#) == .string("/\u{8}\u{C}\n\r\t\"\\"))
    }

    @Test(arguments: [
        #""\ud83d""#,  // high surrogate at the end
        #""\ud83dx""#,  // high surrogate followed by a plain character
        #""\ud83d\u0041""#,  // high surrogate followed by a non-surrogate escape
        #""\ude00""#,  // lone low surrogate
        #""\u12g4""#,  // bad hex digit
        #""\u12""#,  // short escape
        #""\x""#,  // unknown escape
    ])
    func badEscapesAreRejected(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }

    @Test(arguments: [Int64.min, Int64.min + 1, -100, -9, -1, 0, 1, 9, 10, 99, 100, 1_234_567_890, Int64.max])
    func integersPrintAsTheirDecimalDigits(_ i: Int64) throws {
        #expect(JSONValue.int(i).jsonString == String(i))
        #expect(try JSONValue.parse(JSONValue.int(i).jsonString) == .int(i))
    }

    @Test func singleQuotedStringsParseAsGooglesFrontEndTakesThem() throws {
        let v = try JSONValue.parse(#"{'file': {'display_name': 'it\'s \"x\"', "n": 1}}"#)
        #expect(v == ["file": ["display_name": #"it's "x""#, "n": 1]])
        #expect(v.jsonString == #"{"file":{"display_name":"it's \"x\"","n":1}}"#)
        // A quote of the other kind closes nothing; an unterminated single-quoted string is an error.
        #expect(try JSONValue.parse(#"["a'b", 'c"d']"#) == [#"a'b"#, #"c"d"#])
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("{'a': 'b}") }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#"{"a": "\'"}"#) }
    }

    @Test func printerEscapesOnlyWhatJSONRequires() {
        let s = JSONValue.string("q\"b\\n\nr\rt\tc\u{1}\u{1F}/é😀\u{7F}\u{2028}")
        #expect(s.jsonString == "\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001\\u001f/é😀\u{7F}\u{2028}\"")
    }

    @Test func rawControlCharactersAndInvalidUTF8AreRejected() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("\"a\nb\"") }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
    }

    @Test func multiByteTextSurvivesParsingAndPrinting() throws {
        let text = "Grüße, 世界! 🚀 ‮x‬"
        let value = JSONValue.object(["t": .string(text)])
        #expect(try JSONValue.parse(value.serialized())["t"]?.stringValue == text)
    }

    // MARK: Errors

    struct SyntaxCase: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var messageContains: String
        var testDescription: String { text.debugDescription }
    }

    @Test(arguments: [
        SyntaxCase(text: "", line: 1, column: 1, messageContains: "empty"),
        SyntaxCase(text: "   \n  ", line: 2, column: 3, messageContains: "empty"),
        SyntaxCase(text: #"{"a": x}"#, line: 1, column: 7, messageContains: "Unexpected token 'x'"),
        SyntaxCase(text: "{\n  \"a\": 1,\n  \"b\" 2\n}", line: 3, column: 7, messageContains: "Expected ':' after member name \"b\""),
        SyntaxCase(text: "[1, 2,\n]", line: 2, column: 1, messageContains: "Unexpected token ']'"),
        SyntaxCase(text: "{\"é\": 1 2}", line: 1, column: 9, messageContains: "Expected ',' or '}'"),
        SyntaxCase(text: "{} x", line: 1, column: 4, messageContains: "after the end"),
        SyntaxCase(text: "{a: 1}", line: 1, column: 2, messageContains: "quoted member name"),
        SyntaxCase(text: "[1, 2", line: 1, column: 6, messageContains: "end of input"),
        SyntaxCase(text: #""abc"#, line: 1, column: 5, messageContains: "Unterminated"),
        SyntaxCase(text: "01", line: 1, column: 2, messageContains: "leading zeros"),
        SyntaxCase(text: "1.", line: 1, column: 3, messageContains: "digit after '.'"),
        SyntaxCase(text: "1e", line: 1, column: 3, messageContains: "exponent"),
        SyntaxCase(text: "-", line: 1, column: 2, messageContains: "Invalid number"),
        SyntaxCase(text: "tru", line: 1, column: 1, messageContains: "Unexpected token 't'"),
        SyntaxCase(text: "NaN", line: 1, column: 1, messageContains: "Unexpected token 'N'"),
        SyntaxCase(text: "1e999", line: 1, column: 6, messageContains: "out of range"),
    ])
    func syntaxErrorsNameLineAndColumn(_ c: SyntaxCase) {
        do {
            let v = try JSONValue.parse(c.text)
            Issue.record("parsed \(c.text.debugDescription) as \(v)")
        } catch {
            #expect(error.line == c.line)
            #expect(error.column == c.column)
            #expect(error.message.contains(c.messageContains), "\(error.message)")
            #expect(error.description.hasSuffix("at line \(c.line), column \(c.column)"))
        }
    }

    @Test func byteOrderMarkIsTolerated() throws {
        #expect(try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("{\"a\":1}".utf8)) == ["a": 1])
    }

    @Test func nestingUpTo512LevelsParsesAndDeeperIsRefused() throws {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        _ = try JSONValue.parse(nested(512))
        _ = try JSONValue.parse(String(repeating: "{\"a\":", count: 511) + "[]" + String(repeating: "}", count: 511))
        do {
            _ = try JSONValue.parse(nested(513))
            Issue.record("513 levels parsed")
        } catch {
            #expect(error.message.contains("deeper than 512"))
            #expect(error.column == 513)
        }
        // Far deeper input must fail cleanly, not overflow the stack.
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(String(repeating: "[", count: 200_000)) }
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        let v = try JSONValue.parse(#"{"a": 1, "b": 2, "a": {"x": true}}"#)
        #expect(v == ["a": ["x": true], "b": 2])
        #expect(v.jsonString == #"{"a":{"x":true},"b":2}"#)
    }

    @Test func whitespaceOfAllFourKindsIsSkipped() throws {
        #expect(try JSONValue.parse(" \t\r\n[ 1 ,\t2 ]\r\n") == [1, 2])
    }

    @Test func memberSubscriptReadsAndWritesObjectsOnly() {
        var o: JSONValue = ["a": 1]
        o["b"] = "x"
        #expect(o == ["a": 1, "b": "x"])
        var arr: JSONValue = [1]
        arr["b"] = "x"
        #expect(arr == [1])
        #expect(arr["b"] == nil)
        #expect(JSONValue.null.kindName == "null")
        #expect(JSONValue.double(1).kindName == "number")
        #expect(JSONValue.int(1).kindName == "integer")
    }
}
