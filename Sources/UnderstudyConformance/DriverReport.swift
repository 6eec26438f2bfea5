import Foundation
import UnderstudyModel

/// The driver's report, read from `$UNDERSTUDY_REPORT`, and what is wrong with it when it cannot be used.
public struct DriverReport: Sendable {
    public static let statuses = ["ok", "error", "unsupported"]

    public enum Problem: Sendable, Equatable {
        /// No file at the path.
        case missing
        /// The file is empty.
        case empty
        /// Not JSON: the parser's message and the first bytes of the file.
        case notJSON(error: String, head: String)
        /// JSON, but not an object or with fields of the wrong type or value.
        case wrongShape([String])
    }

    /// The report when it is usable.
    public var value: JSONValue?
    public var problem: Problem?

    public var status: String? { value?["status"]?.stringValue }
    public var notes: String? { value?["notes"]?.stringValue }

    /// Reads and validates the file at `path`.
    public static func read(path: String) -> DriverReport {
        guard let data = FileManager.default.contents(atPath: path) else { return DriverReport(value: nil, problem: .missing) }
        return parse([UInt8](data))
    }

    public static func parse(_ bytes: [UInt8]) -> DriverReport {
        if bytes.allSatisfy({ [0x20, 0x0a, 0x0d, 0x09].contains($0) }) { return DriverReport(value: nil, problem: .empty) }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            return DriverReport(value: nil, problem: .notJSON(error: error.description, head: head(bytes)))
        }
        let problems = shapeProblems(json)
        return problems.isEmpty ? DriverReport(value: json, problem: nil) : DriverReport(value: nil, problem: .wrongShape(problems))
    }

    /// The first bytes of a file, printable.
    static func head(_ bytes: [UInt8], limit: Int = 60) -> String {
        let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
        var escaped = text.unicodeScalars.map { s -> String in
            switch s {
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            case "\"": return "\\\""
            case "\\": return "\\\\"
            default: return s.value < 0x20 || s.value == 0x7f ? String(format: "\\u%04x", s.value) : String(s)
            }
        }.joined()
        if bytes.count > limit { escaped += "…" }
        return "\"" + escaped + "\""
    }

    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Every way the report departs from the protocol (conformance/README.md, "The driver protocol").
    static func shapeProblems(_ json: JSONValue) -> [String] {
        guard let o = json.objectValue else { return ["the report is \(kind(json)), not a JSON object such as {\"status\": \"ok\", \"text\": \"…\"}"] }
        var problems: [String] = []
        let allowed = statuses.map { "\"\($0)\"" }.joined(separator: ", ")
        switch o["status"] {
        case nil: problems.append("'status' is missing; it must be one of \(allowed)")
        case .string(let s) where !statuses.contains(s): problems.append("'status' is \"\(s)\"; the allowed values are \(allowed)")
        case .string: break
        case let v?: problems.append("'status' is \(kind(v)); it must be one of the strings \(allowed)")
        }
        func expectString(_ key: String) {
            if let v = o[key], v != .null, v.stringValue == nil { problems.append("'\(key)' is \(kind(v)); it must be a string") }
        }
        expectString("text")
        expectString("notes")
        expectString("final_status")
        if let v = o["events"], v != .null {
            if let items = v.arrayValue {
                if let bad = items.first(where: { $0.stringValue == nil }) { problems.append("'events' holds \(kind(bad)); it must be a list of event_type strings") }
            } else {
                problems.append("'events' is \(kind(v)); it must be a list of event_type strings")
            }
        }
        if let v = o["interaction_ids"], v != .null {
            if let items = v.arrayValue {
                if let bad = items.first(where: { $0.stringValue == nil && $0 != .null }) { problems.append("'interaction_ids' holds \(kind(bad)); it must be a list of interaction id strings") }
            } else {
                problems.append("'interaction_ids' is \(kind(v)); it must be a list of interaction id strings")
            }
        }
        if let v = o["error"], v != .null {
            if let e = v.objectValue {
                if let code = e["status_code"] {
                    if case .int = code {} else { problems.append("'error.status_code' is \(kind(code)); it must be the HTTP status as an integer, e.g. 400") }
                } else {
                    problems.append("'error' has no 'status_code'; give the HTTP status as an integer, e.g. {\"status_code\": 400, \"message\": \"…\"}")
                }
                if let m = e["message"], m.stringValue == nil { problems.append("'error.message' is \(kind(m)); it must be a string") }
            } else {
                problems.append("'error' is \(kind(v)); it must be an object {\"status_code\": 400, \"message\": \"…\"}")
            }
        }
        return problems
    }

    /// What is wrong, for a person reading the case's failure.
    public func describe(exitCode: Int32?) -> String? {
        guard let problem else { return nil }
        let exit = exitCode.flatMap { $0 == 0 ? nil : " The driver exited with code \($0)\($0 > 128 ? " (signal \($0 - 128))" : "")." } ?? ""
        switch problem {
        case .missing:
            return "The driver wrote no report: there is no file at $UNDERSTUDY_REPORT.\(exit) Write a JSON object such as {\"status\": \"ok\", \"text\": \"…\"} to that path before exiting."
        case .empty:
            return "The driver's report at $UNDERSTUDY_REPORT is empty.\(exit) Write a JSON object such as {\"status\": \"ok\", \"text\": \"…\"} (and close the file) before exiting."
        case .notJSON(let error, let head):
            return "The driver's report is not JSON (\(error)); it begins \(head).\(exit) Write one JSON object, e.g. with json.dump / JSON.stringify."
        case .wrongShape(let problems):
            return "The driver's report has the wrong shape: \(problems.joined(separator: "; ")).\(exit) See \"The driver protocol\" in conformance/README.md."
        }
    }
}
