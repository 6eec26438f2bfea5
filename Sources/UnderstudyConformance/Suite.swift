import Foundation
import UnderstudyModel
import Yams

/// How much a failed check matters. MUST failures fail the run; SHOULD findings warn (fatal with --strict).
public enum Severity: String, Sendable, Codable {
    case must = "MUST"
    case should = "SHOULD"
}

/// One check of a case: a kind of verification (see `CheckKind`) with its parameters.
public struct CheckSpec: Sendable {
    /// Stable id, `<case id>.<name>`, e.g. `CORE-002.chained`.
    public var id: String
    public var kind: String
    public var severity: Severity
    public var parameters: JSONValue
    /// What the check enforces, in one sentence (shown on failure).
    public var expectation: String
}

/// A conformance case: a contract of the API, the scenario that sets the stage, what the driver must do,
/// and the checks that decide.
public struct ConformanceCase: Sendable {
    public var id: String
    public var level: String
    /// The contract in one line.
    public var contract: String
    /// Where the API guide states it.
    public var guide: String
    /// Scenario YAML loaded for the case's API key (may be empty).
    public var scenario: String
    /// What the driver is asked to do (passed as UNDERSTUDY_CASE_PARAMS).
    public var params: JSONValue
    public var checks: [CheckSpec]
    public var source: String
}

public struct SuiteError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Loads suites: every `*.yaml` under a directory, each holding `cases: [...]`.
public enum SuiteLoader {
    public static let levels = ["core", "streaming", "tools", "background", "resilience", "forward-compatibility"]

    /// The suite's place in the Understudy repository.
    public static let defaultRelativePath = "conformance/suite"

    /// Finds the suite when `--suite` is not given: `conformance/suite` in the repository the running
    /// executable was built in (found by walking up from its real path, e.g. `.build/debug/understudy`),
    /// then under the current directory. Returns the places tried when there is none.
    public static func locateDefault(executablePath: String?, currentDirectory: String) -> (path: String?, tried: [String]) {
        var tried: [String] = []
        func hasSuite(_ dir: String) -> String? {
            let candidate = (dir as NSString).appendingPathComponent(defaultRelativePath)
            tried.append(candidate)
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) && isDirectory.boolValue ? candidate : nil
        }
        if let exe = executablePath {
            var dir = (URL(fileURLWithPath: exe).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent
            while !dir.isEmpty {
                if let found = hasSuite(dir) { return (found, tried) }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir { break }
                dir = parent
            }
        }
        if let found = hasSuite(currentDirectory) { return (found, tried) }
        return (nil, tried)
    }

    /// The running executable's path (`/proc/self/exe` on Linux).
    public static var executablePath: String? {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments.first
    }

    public static func load(path: String) throws -> [ConformanceCase] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SuiteError(description: "No suite at \(path): give --suite a suite directory (such as conformance/suite of the Understudy repository) or one suite file.")
        }
        var files: [String] = []
        if isDirectory.boolValue {
            for name in (try FileManager.default.contentsOfDirectory(atPath: path)).sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                files.append((path as NSString).appendingPathComponent(name))
            }
        } else {
            files = [path]
        }
        if files.isEmpty { throw SuiteError(description: "The suite directory \(path) holds no *.yaml files.") }
        var cases: [ConformanceCase] = []
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            cases += try parse(text: text, source: file)
        }
        var seen = Set<String>()
        for c in cases where !seen.insert(c.id).inserted {
            throw SuiteError(description: "Case id \(c.id) is defined twice (\(c.source)).")
        }
        return cases
    }

    public static func parse(text: String, source: String) throws -> [ConformanceCase] {
        guard let node = try Yams.compose(yaml: text) else { return [] }
        let json = yamlToJSON(node)
        guard let list = json["cases"]?.arrayValue else {
            throw SuiteError(description: "\(source): a suite file holds 'cases: [...]'.")
        }
        return try list.map { item in
            guard let id = item["id"]?.stringValue, let level = item["level"]?.stringValue,
                let contract = item["contract"]?.stringValue, let guide = item["guide"]?.stringValue
            else { throw SuiteError(description: "\(source): every case needs id, level, contract and guide (\(item.jsonString.prefix(80))…).") }
            guard levels.contains(level) else {
                throw SuiteError(description: "\(source): case \(id) has level '\(level)'; levels are \(levels.joined(separator: ", ")).")
            }
            let checks: [CheckSpec] = try (item["checks"]?.arrayValue ?? []).map { c in
                guard let name = c["id"]?.stringValue, let kind = c["kind"]?.stringValue, let expectation = c["expect"]?.stringValue else {
                    throw SuiteError(description: "\(source): case \(id): every check needs id, kind and expect.")
                }
                guard CheckKind(rawValue: kind) != nil else {
                    throw SuiteError(description: "\(source): case \(id): unknown check kind '\(kind)'. Known: \(CheckKind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                let severity = Severity(rawValue: c["severity"]?.stringValue ?? "MUST") ?? .must
                return CheckSpec(id: "\(id).\(name)", kind: kind, severity: severity, parameters: c["with"] ?? .object([:]), expectation: expectation)
            }
            return ConformanceCase(
                id: id, level: level, contract: contract, guide: guide, scenario: item["scenario"]?.stringValue ?? "",
                params: item["params"] ?? .object([:]), checks: checks, source: source)
        }
    }

    /// Parses YAML (or JSON) text into a JSON value.
    public static func composeJSON(_ text: String) throws -> JSONValue? {
        try Yams.compose(yaml: text).map(yamlToJSON)
    }

    static func yamlToJSON(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let s):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(s.string)
            case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(s.string)
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(s.string)
            default: return .string(s.string)
            }
        case .mapping(let m):
            var o: [String: JSONValue] = [:]
            for (k, v) in m { o[k.string ?? ""] = yamlToJSON(v) }
            return .object(o)
        case .sequence(let seq):
            return .array(seq.map(yamlToJSON))
        case .alias:
            return .null
        }
    }
}
