/// The schema of content blocks as the API accepts them on input (the union of what SDK 1.55.0 through
/// 1.75.0 send), and of the other shared shapes: turns, tools, generation config.
///
/// Mime types are the SDK's closed enums; everything a client may legitimately echo back from an earlier
/// response (signatures, annotations, ids) is accepted.
public enum APISchema {
    public static let imageMimeTypes = [
        "image/png", "image/jpeg", "image/webp", "image/heic", "image/heif", "image/gif", "image/bmp", "image/tiff",
    ]
    public static let audioMimeTypes = [
        "audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg", "audio/flac", "audio/mpeg", "audio/m4a",
        "audio/l16", "audio/opus", "audio/alaw", "audio/mulaw",
        // What Understudy's speech outputs carry (Google's TTS convention); echoed back in stateless history.
        "audio/L16;codec=pcm;rate=24000",
    ]
    public static let videoMimeTypes = [
        "video/mp4", "video/mpeg", "video/mpg", "video/mov", "video/avi", "video/x-flv", "video/webm", "video/wmv",
        "video/3gpp",
    ]
    public static let documentMimeTypes = ["application/pdf"]
    public static let resolutions = ["low", "medium", "high", "ultra_high"]

    typealias F = ObjectSchema.Field

    static let signature = F("signature", .base64)

    static let annotation = ObjectSchema(
        "annotation",
        [
            F("type", .enumeration("annotation type", ["url_citation", "file_citation", "place_citation"], caseInsensitive: false)),
            F("start_index", .integer), F("end_index", .integer), F("source", .string),
            F("url", .string), F("title", .string),
            F("custom_metadata", .freeObject), F("document_uri", .string), F("file_name", .string),
            F("media_id", .string), F("page_number", .integer),
            F("name", .string), F("place_id", .string), F("review_snippets", .array(.freeObject)),
        ])

    static func media(_ type: String, mimeTypes: [String], resolution: Bool, extra: [F] = []) -> ObjectSchema {
        var fields: [F] = [
            F("data", .base64), F("uri", .string),
            F("mime_type", .enumeration("\(type) mime_type", mimeTypes, caseInsensitive: true)),
        ]
        if resolution { fields.append(F("resolution", .enumeration("resolution", resolutions, caseInsensitive: false))) }
        return ObjectSchema(type, fields + extra)
    }

    public static let textBlock = ObjectSchema("text", [F("text", .string, required: true), F("annotations", .array(.object(annotation)))])
    public static let imageBlock = media("image", mimeTypes: imageMimeTypes, resolution: true)
    static let audioBlock = media("audio", mimeTypes: audioMimeTypes, resolution: false, extra: [F("channels", .integer), F("sample_rate", .integer)])
    static let documentBlock = media("document", mimeTypes: documentMimeTypes, resolution: false)
    static let videoBlock = media("video", mimeTypes: videoMimeTypes, resolution: true)

    /// Text or image, the blocks allowed inside thought summaries and tool-result item lists.
    static let textOrImage = SchemaType.union(UnionSchema("summary content", variants: [textBlock, imageBlock]))

    /// `result` of function and MCP tool results: a string, a list of text/image blocks, `{"items": [...]}`
    /// or any object. A bare number or boolean is rejected, as the live API did.
    static let toolResult = SchemaType.oneOf(
        [.string, .array(.oneOf([.string, textOrImage], describe: "a string or a text/image block")), .freeObject],
        describe: "a string, a list of content blocks or an object")

    static let thoughtBlock = ObjectSchema("thought", [signature, F("summary", .array(textOrImage))])
    static let functionCallBlock = ObjectSchema(
        "function_call",
        [F("id", .string, required: true), F("name", .string, required: true), F("arguments", .freeObject, required: true), signature])
    static let functionResultBlock = ObjectSchema(
        "function_result",
        [F("call_id", .string, required: true), F("result", toolResult, required: true), F("name", .string), F("is_error", .bool), signature])
    static let codeExecutionCallBlock = ObjectSchema(
        "code_execution_call",
        [
            F("id", .string, required: true),
            F("arguments", .object(ObjectSchema("code_execution_call arguments", [F("code", .string), F("language", .enumeration("language", ["python"], caseInsensitive: true))])), required: true),
            signature,
        ])
    static let codeExecutionResultBlock = ObjectSchema(
        "code_execution_result",
        [F("call_id", .string, required: true), F("result", .string, required: true), F("is_error", .bool), signature])
    static let urlContextCallBlock = ObjectSchema(
        "url_context_call",
        [F("id", .string, required: true), F("arguments", .object(ObjectSchema("url_context_call arguments", [F("urls", .array(.string))])), required: true), signature])
    static let urlContextResultBlock = ObjectSchema(
        "url_context_result",
        [
            F("call_id", .string, required: true),
            F("result", .array(.object(ObjectSchema("url_context_result item", [F("url", .string), F("status", .enumeration("url status", ["success", "error", "paywall", "unsafe"], caseInsensitive: true))]))), required: true),
            F("is_error", .bool), signature,
        ])
    static let searchTypes = SchemaType.enumeration("search_type", ["web_search", "image_search", "enterprise_web_search"], caseInsensitive: false)
    static let googleSearchCallBlock = ObjectSchema(
        "google_search_call",
        [F("id", .string, required: true), F("arguments", .object(ObjectSchema("google_search_call arguments", [F("queries", .array(.string))])), required: true), F("search_type", searchTypes), signature])
    static let googleSearchResultBlock = ObjectSchema(
        "google_search_result",
        [
            F("call_id", .string, required: true),
            F("result", .array(.object(ObjectSchema("google_search_result item", [F("url", .string), F("title", .string), F("rendered_content", .string), F("search_suggestions", .string)]))), required: true),
            F("is_error", .bool), signature,
        ])
    static let mcpCallBlock = ObjectSchema(
        "mcp_server_tool_call",
        [F("id", .string, required: true), F("name", .string, required: true), F("server_name", .string, required: true), F("arguments", .freeObject, required: true), signature])
    static let mcpResultBlock = ObjectSchema(
        "mcp_server_tool_result",
        [F("call_id", .string, required: true), F("result", toolResult, required: true), F("name", .string), F("server_name", .string), signature])
    static let fileSearchCallBlock = ObjectSchema("file_search_call", [F("id", .string, required: true), signature])
    static let fileSearchResultBlock = ObjectSchema(
        "file_search_result",
        [F("call_id", .string), F("result", .array(.object(ObjectSchema("file_search_result item", [F("title", .string), F("text", .string), F("file_search_store", .string)])))), signature])
    static let googleMapsCallBlock = ObjectSchema(
        "google_maps_call",
        [F("id", .string, required: true), F("arguments", .object(ObjectSchema("google_maps_call arguments", [F("queries", .array(.string))]))), signature])
    static let googleMapsResultBlock = ObjectSchema(
        "google_maps_result",
        [F("call_id", .string, required: true), F("result", .array(.freeObject), required: true), signature])

    /// Every content block kind, discriminated on `type`.
    public static let content = SchemaType.union(
        UnionSchema(
            "content",
            variants: [
                textBlock, imageBlock, audioBlock, documentBlock, videoBlock, thoughtBlock,
                functionCallBlock, functionResultBlock, codeExecutionCallBlock, codeExecutionResultBlock,
                urlContextCallBlock, urlContextResultBlock, googleSearchCallBlock, googleSearchResultBlock,
                mcpCallBlock, mcpResultBlock, fileSearchCallBlock, fileSearchResultBlock,
                googleMapsCallBlock, googleMapsResultBlock,
            ]))

    /// Content blocks including types this build does not know, for scenario files that test clients'
    /// tolerance of future additions.
    public static let contentAllowingFutureTypes: SchemaType = {
        guard case .union(var u) = content else { return content }
        u.acceptsUnknownVariants = true
        return .union(u)
    }()

    public static let turn = SchemaType.object(
        ObjectSchema(
            "turn",
            [
                F("role", .enumeration("role", ["user", "model"], caseInsensitive: false)),
                F("content", .oneOf([.string, .array(content)], describe: "a string or a list of content blocks"), required: true),
            ]))

    // MARK: Tools

    static let toolChoiceMode = SchemaType.enumeration("tool_choice mode", ["auto", "any", "none", "validated"], caseInsensitive: true)
    static let allowedTools = ObjectSchema("allowed_tools", [F("mode", toolChoiceMode), F("tools", .array(.string))])

    public static let tool = SchemaType.union(
        UnionSchema(
            "tool",
            variants: [
                ObjectSchema("function", [F("name", .string, required: true), F("description", .string), F("parameters", .freeObject)]),
                ObjectSchema("code_execution", []),
                ObjectSchema("url_context", []),
                ObjectSchema(
                    "computer_use",
                    [F("environment", .enumeration("environment", ["browser"], caseInsensitive: false)), F("excluded_predefined_functions", .array(.string))],
                    aliases: ["excludedPredefinedFunctions": "excluded_predefined_functions"]),
                ObjectSchema(
                    "mcp_server",
                    [F("name", .string), F("url", .string), F("headers", .map(.string)), F("allowed_tools", .array(.object(allowedTools)))]),
                ObjectSchema("google_search", [F("search_types", .array(searchTypes))]),
                ObjectSchema("file_search", [F("file_search_store_names", .array(.string)), F("metadata_filter", .string), F("top_k", .integer)]),
                ObjectSchema("google_maps", [F("enable_widget", .bool), F("latitude", .number), F("longitude", .number)]),
                ObjectSchema(
                    "retrieval",
                    [
                        F("retrieval_types", .array(.enumeration("retrieval type", ["vertex_ai_search"], caseInsensitive: false))),
                        F("vertex_ai_search_config", .object(ObjectSchema("vertex_ai_search_config", [F("datastores", .array(.string)), F("engine", .string)]))),
                    ]),
            ]))

    // MARK: Generation config

    public static let thinkingLevels = ["minimal", "low", "medium", "high"]
    public static let aspectRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:8", "8:1", "1:4", "4:1"]
    public static let imageSizes = ["1K", "2K", "4K", "512"]

    static let speechConfigItem = SchemaType.object(ObjectSchema("speech_config", [F("voice", .string), F("language", .string), F("speaker", .string)]))

    public static let generationConfig = SchemaType.object(
        ObjectSchema(
            "generation_config",
            [
                F("temperature", .number), F("top_p", .number), F("seed", .integer), F("max_output_tokens", .integer),
                F("stop_sequences", .array(.string)),
                F("thinking_level", .enumeration("thinking_level", thinkingLevels, caseInsensitive: true)),
                F("thinking_summaries", .enumeration("thinking_summaries", ["auto", "none"], caseInsensitive: true)),
                F("tool_choice", .oneOf([toolChoiceMode, .object(ObjectSchema("tool_choice", [F("allowed_tools", .object(allowedTools))]))], describe: "a mode string or {\"allowed_tools\": {...}}")),
                // SDK 1.55 types say a list; the guide's single-speaker sample sends one object. Both are accepted.
                F("speech_config", .oneOf([.array(speechConfigItem), speechConfigItem], describe: "a speech config object or a list of them")),
                F("image_config", .object(ObjectSchema(
                    "image_config",
                    [
                        F("aspect_ratio", .enumeration("aspect_ratio", aspectRatios, caseInsensitive: false)),
                        F("image_size", .enumeration("image_size", imageSizes, caseInsensitive: true)),
                    ]))),
            ]))

    public static let agentConfig = SchemaType.union(
        UnionSchema(
            "agent_config",
            variants: [
                ObjectSchema(
                    "deep-research",
                    [
                        F("thinking_summaries", .enumeration("thinking_summaries", ["auto", "none"], caseInsensitive: true)),
                        F("collaborative_planning", .bool),
                        F("visualization", .enumeration("visualization", ["off", "auto"], caseInsensitive: true)),
                    ]),
                ObjectSchema("dynamic", [], allowsUnknownMembers: true),
            ]))

    public static let modalities = ["text", "image", "audio", "video", "document"]
}
