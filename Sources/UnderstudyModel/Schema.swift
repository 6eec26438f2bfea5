/// A small, declarative description of JSON shapes, used to validate requests, scenario files and (in the
/// conformance runner) responses with one mechanism and one set of error messages.
///
/// The API's request schema is large and open-ended (discriminated unions, free-form objects, aliases);
/// describing it as data keeps each field's rules in one place and lets every consumer report the exact
/// field path of a problem, the way Google's front end does (`input[1].content[0].call_id`).
public indirect enum SchemaType: Sendable {
    case string
    /// A string from a closed set. `caseInsensitive` matches the way the API accepts `IMAGE` and `image`.
    case enumeration(String, [String], caseInsensitive: Bool)
    case bool
    case integer
    case number
    /// Any JSON value at all.
    case any
    /// Any JSON object (free-form `arguments`, JSON Schemas).
    case freeObject
    /// A base64 string (standard or URL-safe alphabet, padding optional).
    case base64
    case array(SchemaType)
    /// An object with arbitrary keys whose values all have one type.
    case map(SchemaType)
    case object(ObjectSchema)
    /// Objects told apart by a discriminator member, `type` in this API.
    case union(UnionSchema)
    /// The first alternative whose JSON kind fits is used; `describe` names the accepted forms in errors.
    case oneOf([SchemaType], describe: String)

    /// The wire type name that Google's errors print in parentheses, e.g. `(TYPE_STRING)`.
    var typeName: String {
        switch self {
        case .string, .base64: return "TYPE_STRING"
        case .enumeration: return "TYPE_ENUM"
        case .bool: return "TYPE_BOOL"
        case .integer: return "TYPE_INT64"
        case .number: return "TYPE_DOUBLE"
        case .any: return "JSON value"
        case .freeObject, .map, .object, .union: return "TYPE_MESSAGE"
        case .array: return "TYPE_LIST"
        case .oneOf(_, let d): return d
        }
    }
}

/// One JSON object type: its members, which are required, and which spellings are aliases.
public struct ObjectSchema: Sendable {
    public struct Field: Sendable {
        public var name: String
        public var type: SchemaType
        public var required: Bool
        public init(_ name: String, _ type: SchemaType, required: Bool = false) {
            self.name = name
            self.type = type
            self.required = required
        }
    }

    public var name: String
    public var fields: [Field]
    /// Alternative spellings accepted on input, mapped to the canonical member name.
    public var aliases: [String: String]
    /// Whether members not listed are kept (true for `dynamic` agent config) or rejected by name.
    public var allowsUnknownMembers: Bool

    public init(_ name: String, _ fields: [Field], aliases: [String: String] = [:], allowsUnknownMembers: Bool = false) {
        self.name = name
        self.fields = fields
        self.aliases = aliases
        self.allowsUnknownMembers = allowsUnknownMembers
    }

    public func field(named name: String) -> Field? { fields.first { $0.name == name } }
}

/// A set of object schemas told apart by a discriminator member.
public struct UnionSchema: Sendable {
    public var name: String
    public var discriminator: String
    public var variants: [String: ObjectSchema]
    /// Unknown discriminator values are kept as-is (forward compatibility) instead of rejected.
    public var acceptsUnknownVariants: Bool

    public init(_ name: String, discriminator: String = "type", variants: [ObjectSchema], acceptsUnknownVariants: Bool = false) {
        self.name = name
        self.discriminator = discriminator
        var map: [String: ObjectSchema] = [:]
        for v in variants { map[v.name] = v }
        self.variants = map
        self.acceptsUnknownVariants = acceptsUnknownVariants
    }

    public var variantNames: [String] { variants.keys.sorted() }
}

/// A problem found at one place in a JSON document.
public struct SchemaViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path with indices, e.g. `generation_config.temperature` or `input[2].content[0]`; empty for the root.
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { message }
}

/// A JSON path being walked, printed the way Google's errors print them.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }
    public var components: [Component]
    public init(_ components: [Component] = []) { self.components = components }
    public static let root = FieldPath()

    public func appending(_ key: String) -> FieldPath { FieldPath(components + [.key(key)]) }
    public func appending(_ index: Int) -> FieldPath { FieldPath(components + [.index(index)]) }

    public var description: String {
        var s = ""
        for c in components {
            switch c {
            case .key(let k):
                if !s.isEmpty { s += "." }
                s += k
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }
}

/// Checks a `JSONValue` against a `SchemaType` and returns the value normalised: aliases renamed to their
/// canonical member names and case-insensitive enums folded to their canonical spelling.
public enum SchemaValidator {
    /// Validates and normalises; throws the first problem found.
    public static func validate(_ value: JSONValue, as type: SchemaType, at path: FieldPath = .root) throws(SchemaViolation) -> JSONValue {
        var collector = Collector(limit: 1)
        let result = check(value, as: type, at: path, into: &collector)
        if let first = collector.problems.first { throw first }
        return result
    }

    /// Every problem in the document (up to `limit`), for tools that report all mistakes at once.
    public static func problems(in value: JSONValue, as type: SchemaType, at path: FieldPath = .root, limit: Int = 100) -> [SchemaViolation] {
        var collector = Collector(limit: limit)
        _ = check(value, as: type, at: path, into: &collector)
        return collector.problems
    }

    struct Collector {
        let limit: Int
        var problems: [SchemaViolation] = []
        var isFull: Bool { problems.count >= limit }
        mutating func add(_ v: SchemaViolation) { if !isFull { problems.append(v) } }
    }

    /// Checks `value`, recording problems and returning the normalised value (or the input where broken).
    static func check(_ value: JSONValue, as type: SchemaType, at path: FieldPath, into c: inout Collector) -> JSONValue {
        do {
            return try checkNode(value, as: type, at: path, into: &c)
        } catch {
            c.add(error)
            return value
        }
    }

    static func checkNode(_ value: JSONValue, as type: SchemaType, at path: FieldPath, into c: inout Collector) throws(SchemaViolation) -> JSONValue {
        switch type {
        case .any:
            return value
        case .string:
            guard case .string = value else { throw mismatch(value, type, path) }
            return value
        case .base64:
            guard case .string(let s) = value else { throw mismatch(value, type, path) }
            guard Base64.decode(s) != nil else {
                throw SchemaViolation(
                    field: path.description,
                    message: "Invalid value at '\(path)' (TYPE_BYTES), Base64 decoding failed for \"\(preview(s))\"")
            }
            return value
        case .enumeration(let name, let allowed, let caseInsensitive):
            guard case .string(let s) = value else { throw mismatch(value, type, path) }
            if allowed.contains(s) { return value }
            if caseInsensitive, let hit = allowed.first(where: { $0.lowercased() == s.lowercased() }) {
                return .string(hit)
            }
            throw SchemaViolation(
                field: path.description,
                message: "Invalid value at '\(path)' (\(name)), \"\(preview(s))\". Allowed values: \(allowed.joined(separator: ", ")).")
        case .bool:
            guard case .bool = value else { throw mismatch(value, type, path) }
            return value
        case .integer:
            switch value {
            case .int: return value
            case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return .int(Int64(d))
            default: throw mismatch(value, type, path)
            }
        case .number:
            switch value {
            case .int, .double: return value
            default: throw mismatch(value, type, path)
            }
        case .freeObject:
            guard case .object = value else { throw mismatch(value, type, path) }
            return value
        case .array(let element):
            guard case .array(let items) = value else { throw mismatch(value, type, path) }
            var out: [JSONValue] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() where !c.isFull {
                out.append(check(item, as: element, at: path.appending(i), into: &c))
            }
            return .array(out)
        case .map(let element):
            guard case .object(let members) = value else { throw mismatch(value, type, path) }
            var out: [String: JSONValue] = [:]
            for key in members.keys.sorted() where !c.isFull {
                out[key] = check(members[key]!, as: element, at: path.appending(key), into: &c)
            }
            return .object(out)
        case .object(let schema):
            return try validateObject(value, schema, at: path, into: &c)
        case .union(let union):
            guard case .object(let members) = value else { throw mismatch(value, type, path) }
            guard let tag = members[union.discriminator] else {
                throw SchemaViolation(
                    field: path.appending(union.discriminator).description,
                    message: "Missing required field '\(path.appending(union.discriminator))': every \(union.name) needs a '\(union.discriminator)' (one of: \(union.variantNames.joined(separator: ", "))).")
            }
            guard case .string(let tagName) = tag else {
                throw mismatch(tag, .string, path.appending(union.discriminator))
            }
            guard let variant = union.variants[tagName] else {
                if union.acceptsUnknownVariants { return value }
                throw SchemaViolation(
                    field: path.appending(union.discriminator).description,
                    message: "Invalid value at '\(path.appending(union.discriminator))' (\(union.name) type), \"\(preview(tagName))\". Allowed values: \(union.variantNames.joined(separator: ", ")).")
            }
            return try validateObject(value, variant, at: path, discriminator: union.discriminator, unionName: union.name, into: &c)
        case .oneOf(let alternatives, let describe):
            for alternative in alternatives where kindFits(value, alternative) {
                return try checkNode(value, as: alternative, at: path, into: &c)
            }
            throw SchemaViolation(
                field: path.description,
                message: "Invalid value at '\(path.description.isEmpty ? "(root)" : path.description)': expected \(describe), got \(value.kindName).")
        }
    }

    static func validateObject(_ value: JSONValue, _ schema: ObjectSchema, at path: FieldPath, discriminator: String? = nil, unionName: String = "", into c: inout Collector) throws(SchemaViolation) -> JSONValue {
        guard case .object(let members) = value else { throw mismatch(value, .object(schema), path) }
        var out: [String: JSONValue] = [:]
        // Sorted so that the first reported problem does not depend on dictionary order.
        for key in members.keys.sorted() {
            let raw = members[key]!
            if key == discriminator {
                out[key] = raw
                continue
            }
            let canonical = schema.aliases[key] ?? key
            guard let field = schema.field(named: canonical) else {
                if schema.allowsUnknownMembers {
                    out[key] = raw
                    continue
                }
                let at = path.description.isEmpty ? "" : " at '\(path)'"
                c.add(SchemaViolation(
                    field: path.appending(key).description,
                    message: "Invalid JSON payload received. Unknown name \"\(key)\"\(at): Cannot find field."))
                continue
            }
            if out[canonical] != nil {
                c.add(SchemaViolation(
                    field: path.appending(key).description,
                    message: "Invalid JSON payload received. Field '\(path.appending(canonical))' is set twice (as \"\(canonical)\" and an alias)."))
                continue
            }
            // JSON null for an optional member means "not set", as in proto3 JSON.
            if case .null = raw, !field.required { continue }
            out[canonical] = check(raw, as: field.type, at: path.appending(key), into: &c)
        }
        for field in schema.fields where field.required && members[field.name] == nil && !schema.aliases.contains(where: { $0.value == field.name && members[$0.key] != nil }) {
            let what = discriminator != nil ? " for \(unionName) of type \(schema.name)" : ""
            c.add(SchemaViolation(
                field: path.appending(field.name).description,
                message: "Missing required field '\(path.appending(field.name))'\(what)."))
        }
        return .object(out)
    }

    static func kindFits(_ value: JSONValue, _ type: SchemaType) -> Bool {
        switch (value, type) {
        case (_, .any): return true
        case (.string, .string), (.string, .enumeration), (.string, .base64): return true
        case (.bool, .bool): return true
        case (.int, .integer), (.int, .number), (.double, .number): return true
        case (.double(let d), .integer): return d.rounded() == d
        case (.array, .array): return true
        case (.object, .freeObject), (.object, .map), (.object, .object), (.object, .union): return true
        case (_, .oneOf(let alts, _)): return alts.contains { kindFits(value, $0) }
        default: return false
        }
    }

    static func mismatch(_ value: JSONValue, _ type: SchemaType, _ path: FieldPath) -> SchemaViolation {
        let shown: String
        switch value {
        case .string(let s): shown = "\"\(preview(s))\""
        case .object: shown = "an object"
        case .array: shown = "an array"
        default: shown = value.jsonString
        }
        let at = path.description.isEmpty ? "(root)" : path.description
        return SchemaViolation(
            field: path.description,
            message: "Invalid value at '\(at)' (\(type.typeName)), \(shown): expected \(expectation(type)).")
    }

    static func expectation(_ type: SchemaType) -> String {
        switch type {
        case .string: return "a string"
        case .base64: return "a base64 string"
        case .enumeration(_, let allowed, _): return "one of \(allowed.joined(separator: ", "))"
        case .bool: return "true or false"
        case .integer: return "an integer"
        case .number: return "a number"
        case .any: return "any JSON value"
        case .freeObject, .object, .map: return "an object"
        case .union(let u): return "an object with a '\(u.discriminator)' member"
        case .array: return "an array"
        case .oneOf(_, let d): return d
        }
    }

    static func preview(_ s: String) -> String {
        s.count > 60 ? String(s.prefix(57)) + "..." : s
    }
}
