/// One block of content: text, media, a thought, a tool call or a tool result.
///
/// Kept as a discriminator plus members rather than one Swift type per block: the API has twenty block
/// kinds, grows new ones in every SDK release, and Understudy must carry blocks it does not know (scenario
/// files may inject future types to test client tolerance). Typed accessors give the engine what it needs.
public struct Content: Sendable, Hashable {
    public var type: String
    /// Every member except `type`.
    public var fields: [String: JSONValue]

    public init(type: String, fields: [String: JSONValue] = [:]) {
        self.type = type
        self.fields = fields
        self.fields["type"] = nil
    }

    /// Builds a block from its (already validated) JSON object form.
    public init?(json: JSONValue) {
        guard case .object(var members) = json, case .string(let type)? = members["type"] else { return nil }
        members["type"] = nil
        self.type = type
        self.fields = members
    }

    public var json: JSONValue {
        var members = fields
        members["type"] = .string(type)
        return .object(members)
    }

    public subscript(member: String) -> JSONValue? {
        get { fields[member] }
        set { fields[member] = newValue }
    }
}

extension Content {
    public var kind: ContentKind? { ContentKind(rawValue: type) }
    public var text: String? { fields["text"]?.stringValue }
    public var signature: String? { fields["signature"]?.stringValue }
    public var id: String? { fields["id"]?.stringValue }
    public var callID: String? { fields["call_id"]?.stringValue }
    public var name: String? { fields["name"]?.stringValue }
    public var arguments: JSONValue? { fields["arguments"] }
    public var result: JSONValue? { fields["result"] }
    public var mimeType: String? { fields["mime_type"]?.stringValue }
    public var data: String? { fields["data"]?.stringValue }
    public var uri: String? { fields["uri"]?.stringValue }
    public var isError: Bool { fields["is_error"]?.boolValue ?? false }

    /// The text blocks of a thought's `summary`.
    public var summaryTexts: [String] {
        (fields["summary"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
    }

    public var isMedia: Bool { kind?.isMedia ?? false }
    /// Calls that the client must execute (function calls); built-in tool calls run server-side.
    public var isClientCall: Bool { type == ContentKind.functionCall.rawValue }

    public static func text(_ text: String, annotations: [JSONValue]? = nil) -> Content {
        var c = Content(type: "text", fields: ["text": .string(text)])
        if let annotations { c.fields["annotations"] = .array(annotations) }
        return c
    }

    public static func thought(signature: String, summary: [String]) -> Content {
        var c = Content(type: "thought", fields: ["signature": .string(signature)])
        if !summary.isEmpty {
            c.fields["summary"] = .array(summary.map { .object(["type": "text", "text": .string($0)]) })
        }
        return c
    }

    public static func functionCall(id: String, name: String, arguments: JSONValue) -> Content {
        Content(type: "function_call", fields: ["id": .string(id), "name": .string(name), "arguments": arguments])
    }

    public static func functionResult(callID: String, name: String?, result: JSONValue) -> Content {
        var c = Content(type: "function_result", fields: ["call_id": .string(callID), "result": result])
        if let name { c.fields["name"] = .string(name) }
        return c
    }

    public static func media(_ kind: ContentKind, data: String, mimeType: String) -> Content {
        Content(type: kind.rawValue, fields: ["data": .string(data), "mime_type": .string(mimeType)])
    }
}

/// The block kinds this build knows. Blocks of other types are carried unchanged.
public enum ContentKind: String, Sendable, CaseIterable {
    case text, image, audio, document, video, thought
    case functionCall = "function_call"
    case functionResult = "function_result"
    case codeExecutionCall = "code_execution_call"
    case codeExecutionResult = "code_execution_result"
    case urlContextCall = "url_context_call"
    case urlContextResult = "url_context_result"
    case googleSearchCall = "google_search_call"
    case googleSearchResult = "google_search_result"
    case mcpServerToolCall = "mcp_server_tool_call"
    case mcpServerToolResult = "mcp_server_tool_result"
    case fileSearchCall = "file_search_call"
    case fileSearchResult = "file_search_result"
    case googleMapsCall = "google_maps_call"
    case googleMapsResult = "google_maps_result"

    public var isMedia: Bool { [.image, .audio, .document, .video].contains(self) }
    public var isCall: Bool { rawValue.hasSuffix("_call") }
    public var isResult: Bool { rawValue.hasSuffix("_result") }
    /// Token-accounting modality of a block of this kind.
    public var modality: String {
        switch self {
        case .image, .video: return "image"
        case .audio: return "audio"
        default: return "text"
        }
    }
}

/// Who speaks in a turn of conversation history.
public enum Role: String, Sendable, Hashable {
    case user, model
}

/// One turn of conversation: the unit of history, whether it comes from a chain of stored interactions
/// or from the client's own list of turns.
public struct Turn: Sendable, Hashable {
    public var role: Role
    public var content: [Content]
    public init(role: Role, content: [Content]) {
        self.role = role
        self.content = content
    }

    public var json: JSONValue {
        .object(["role": .string(role.rawValue), "content": .array(content.map(\.json))])
    }

    /// All text of the turn's text blocks, joined by newlines.
    public var text: String {
        content.compactMap { $0.type == "text" ? $0.text : nil }.joined(separator: "\n")
    }
}
