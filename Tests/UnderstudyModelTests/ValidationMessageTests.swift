import Testing
import UnderstudyModel
import UnderstudyWire

/// One kind of mistake: the body, the field that must be blamed, and words the message must contain.
struct Mistake: Sendable, CustomTestStringConvertible {
    var name: String
    var body: String
    var field: String?
    var message: [String]
    var testDescription: String { name }
}

let mistakes: [Mistake] = [
    // Unknown members
    Mistake(name: "unknown top-level member", body: #"{"model":"gemini-2.5-flash","input":"x","foo":1}"#,
            field: "foo", message: [#"Unknown name "foo": Cannot find field."#]),
    Mistake(name: "unknown member in generation_config", body: #"{"model":"gemini-2.5-flash","input":"x","generation_config":{"temprature":1}}"#,
            field: "generation_config.temprature", message: [#"Unknown name "temprature" at 'generation_config'"#]),
    Mistake(name: "unknown member in a content list block", body: #"{"model":"gemini-2.5-flash","input":[{"type":"text","text":"x","bogus":true}]}"#,
            field: "input[0].bogus", message: [#"Unknown name "bogus" at 'input[0]'"#]),
    Mistake(name: "unknown member in a turn's block", body: #"{"model":"gemini-2.5-flash","input":[{"role":"user","content":"a"},{"role":"model","content":[{"type":"function_call","id":"1","name":"f","arguments":{},"extra":1}]}]}"#,
            field: "input[1].content[0].extra", message: [#"Unknown name "extra" at 'input[1].content[0]'"#]),
    Mistake(name: "unknown member in the single content object", body: #"{"model":"gemini-2.5-flash","input":{"type":"text","text":"x","colour":"red"}}"#,
            field: "input.colour", message: [#"Unknown name "colour" at 'input'"#]),
    Mistake(name: "unknown member in a tool", body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"google_search"},{"type":"function","name":"f","params":{}}]}"#,
            field: "tools[1].params", message: [#"Unknown name "params" at 'tools[1]'"#]),
    Mistake(name: "unknown member in a turn", body: #"{"model":"gemini-2.5-flash","input":[{"role":"user","content":"x","author":"me"}]}"#,
            field: "input[0].author", message: [#"Unknown name "author" at 'input[0]'"#]),
    Mistake(name: "unknown member in deep-research agent_config", body: #"{"agent":"deep-research-pro-preview-12-2025","input":"x","agent_config":{"type":"deep-research","depth":3}}"#,
            field: "agent_config.depth", message: [#"Unknown name "depth""#]),
    Mistake(name: "unknown member in a summary block", body: #"{"model":"gemini-2.5-flash","input":[{"role":"model","content":[{"type":"thought","signature":"AAAA","summary":[{"type":"text","text":"t","x":1}]}]}]}"#,
            field: "input[0].content[0].summary[0].x", message: [#"Unknown name "x""#]),

    // Wrong types
    Mistake(name: "temperature is a string", body: #"{"model":"gemini-2.5-flash","input":"x","generation_config":{"temperature":"hot"}}"#,
            field: "generation_config.temperature", message: [#"Invalid value at 'generation_config.temperature' (TYPE_DOUBLE), "hot""#]),
    Mistake(name: "seed is fractional", body: #"{"model":"gemini-2.5-flash","input":"x","generation_config":{"seed":1.5}}"#,
            field: "generation_config.seed", message: ["'generation_config.seed' (TYPE_INT64), 1.5"]),
    Mistake(name: "stream is a string", body: #"{"model":"gemini-2.5-flash","input":"x","stream":"yes"}"#,
            field: "stream", message: [#"Invalid value at 'stream' (TYPE_BOOL), "yes""#]),
    Mistake(name: "model is a number", body: #"{"model":3,"input":"x"}"#,
            field: "model", message: ["Invalid value at 'model' (TYPE_STRING), 3"]),
    Mistake(name: "system_instruction is an object", body: #"{"model":"gemini-2.5-flash","input":"x","system_instruction":{"parts":[]}}"#,
            field: "system_instruction", message: ["'system_instruction' (TYPE_STRING), an object"]),
    Mistake(name: "tools is an object", body: #"{"model":"gemini-2.5-flash","input":"x","tools":{"type":"google_search"}}"#,
            field: "tools", message: ["'tools' (TYPE_LIST)"]),
    Mistake(name: "function arguments are a string", body: #"{"model":"gemini-2.5-flash","input":[{"role":"model","content":[{"type":"function_call","id":"1","name":"f","arguments":"{\"a\":1}"}]}]}"#,
            field: "input[0].content[0].arguments", message: ["'input[0].content[0].arguments' (TYPE_MESSAGE)"]),
    Mistake(name: "function_result is a number", body: #"{"model":"gemini-2.5-flash","input":[{"type":"function_result","call_id":"c","result":42}]}"#,
            field: "input[0].result", message: ["'input[0].result'", "got integer"]),
    Mistake(name: "text is a number", body: #"{"model":"gemini-2.5-flash","input":{"type":"text","text":5}}"#,
            field: "input.text", message: ["'input.text' (TYPE_STRING), 5"]),
    Mistake(name: "image data is not base64", body: #"{"model":"gemini-2.5-flash","input":[{"type":"image","data":"not base64!","mime_type":"image/png"}]}"#,
            field: "input[0].data", message: ["'input[0].data' (TYPE_BYTES), Base64 decoding failed"]),
    Mistake(name: "input is a number", body: #"{"model":"gemini-2.5-flash","input":7}"#,
            field: "input", message: ["'input'", "got integer"]),
    Mistake(name: "turn content is a number", body: #"{"model":"gemini-2.5-flash","input":[{"role":"user","content":1}]}"#,
            field: "input[0].content", message: ["'input[0].content'", "a string or a list of content blocks"]),
    Mistake(name: "mcp headers hold a number", body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"mcp_server","name":"s","url":"u","headers":{"a":1}}]}"#,
            field: "tools[0].headers.a", message: ["'tools[0].headers.a' (TYPE_STRING)"]),
    Mistake(name: "speech_config is a string", body: #"{"model":"gemini-2.5-flash","input":"x","generation_config":{"speech_config":"kore"}}"#,
            field: "generation_config.speech_config", message: ["a speech config object or a list of them"]),

    // Bad enum values
    Mistake(name: "thinking_level", body: #"{"model":"gemini-2.5-flash","input":"x","generation_config":{"thinking_level":"extreme"}}"#,
            field: "generation_config.thinking_level", message: [#"Invalid value at 'generation_config.thinking_level' (thinking_level), "extreme""#, "Allowed values: minimal, low, medium, high."]),
    Mistake(name: "response_modalities", body: #"{"model":"gemini-2.5-flash","input":"x","response_modalities":["text","smell"]}"#,
            field: "response_modalities[1]", message: [#""smell""#]),
    Mistake(name: "tool_choice mode", body: #"{"model":"gemini-2.5-flash","input":"x","generation_config":{"tool_choice":"sometimes"}}"#,
            field: "generation_config.tool_choice", message: [#""sometimes""#]),
    Mistake(name: "turn role", body: #"{"model":"gemini-2.5-flash","input":[{"role":"system","content":"x"}]}"#,
            field: "input[0].role", message: [#"Invalid value at 'input[0].role' (role), "system""#]),
    Mistake(name: "content type", body: #"{"model":"gemini-2.5-flash","input":[{"type":"hologram"}]}"#,
            field: "input[0].type", message: [#""hologram""#, "Allowed values:", "function_call"]),
    Mistake(name: "tool type", body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"web_browser"}]}"#,
            field: "tools[0].type", message: [#""web_browser""#]),
    Mistake(name: "image mime_type", body: #"{"model":"gemini-2.5-flash","input":{"type":"image","uri":"u","mime_type":"image/x-fax"}}"#,
            field: "input.mime_type", message: [#""image/x-fax""#, "image/png"]),
    Mistake(name: "computer_use environment", body: #"{"model":"gemini-2.5-computer-use-preview-10-2025","input":"x","tools":[{"type":"computer_use","environment":"desktop"}]}"#,
            field: "tools[0].environment", message: [#""desktop""#]),
    Mistake(name: "service_tier", body: #"{"model":"gemini-2.5-flash","input":"x","service_tier":"gold"}"#,
            field: "service_tier", message: [#""gold""#, "flex"]),
    Mistake(name: "agent_config type", body: #"{"agent":"deep-research-pro-preview-12-2025","input":"x","agent_config":{"type":"shallow"}}"#,
            field: "agent_config.type", message: [#""shallow""#]),
    Mistake(name: "image_size", body: #"{"model":"gemini-3-pro-image-preview","input":"x","generation_config":{"image_config":{"image_size":"8K"}}}"#,
            field: "generation_config.image_config.image_size", message: [#""8K""#]),

    // Missing required members of content blocks
    Mistake(name: "function_call without name", body: #"{"model":"gemini-2.5-flash","input":[{"type":"function_call","id":"1","arguments":{}}]}"#,
            field: "input[0].name", message: ["Missing required field 'input[0].name' for content of type function_call."]),
    Mistake(name: "function_result without call_id", body: #"{"model":"gemini-2.5-flash","input":[{"role":"user","content":[{"type":"function_result","result":"ok"}]}]}"#,
            field: "input[0].content[0].call_id", message: ["Missing required field 'input[0].content[0].call_id' for content of type function_result."]),
    Mistake(name: "text without text", body: #"{"model":"gemini-2.5-flash","input":{"type":"text"}}"#,
            field: "input.text", message: ["Missing required field 'input.text'"]),
    Mistake(name: "mcp call without server_name", body: #"{"model":"gemini-2.5-flash","input":[{"type":"mcp_server_tool_call","id":"1","name":"n","arguments":{}}]}"#,
            field: "input[0].server_name", message: ["'input[0].server_name'", "mcp_server_tool_call"]),
    Mistake(name: "block without type", body: #"{"model":"gemini-2.5-flash","input":[{"text":"hi"}]}"#,
            field: "input[0].type", message: ["Missing required field 'input[0].type'"]),
    Mistake(name: "turn without content", body: #"{"model":"gemini-2.5-flash","input":[{"role":"user"}]}"#,
            field: "input[0].content", message: ["Missing required field 'input[0].content'"]),
    Mistake(name: "function tool without name", body: #"{"model":"gemini-2.5-flash","input":"x","tools":[{"type":"function"}]}"#,
            field: "tools[0].name", message: ["'tools[0].name'"]),

    // Request-level rules
    Mistake(name: "neither model nor agent", body: #"{"input":"x"}"#, field: "model", message: ["Exactly one of 'model' or 'agent'", "neither"]),
    Mistake(name: "both model and agent", body: #"{"model":"gemini-2.5-flash","agent":"deep-research-pro-preview-12-2025","input":"x"}"#,
            field: "agent", message: ["Exactly one of 'model' or 'agent'", "both"]),
    Mistake(name: "generation_config with an agent", body: #"{"agent":"deep-research-pro-preview-12-2025","input":"x","generation_config":{"temperature":1}}"#,
            field: "generation_config", message: ["'generation_config' is only supported for model interactions"]),
    Mistake(name: "agent_config with a model", body: #"{"model":"gemini-2.5-flash","input":"x","agent_config":{"type":"deep-research"}}"#,
            field: "agent_config", message: ["'agent_config' is only supported for agent interactions"]),
    Mistake(name: "missing input", body: #"{"model":"gemini-2.5-flash"}"#, field: "input", message: ["Missing required field 'input'"]),
    Mistake(name: "empty input list", body: #"{"model":"gemini-2.5-flash","input":[]}"#, field: "input", message: ["'input'", "must not be empty"]),
    Mistake(name: "turn with no blocks", body: #"{"model":"gemini-2.5-flash","input":[{"role":"user","content":[]}]}"#,
            field: "input[0].content", message: ["'input[0].content'", "at least one content block"]),
    Mistake(name: "turns mixed with content blocks", body: #"{"model":"gemini-2.5-flash","input":[{"role":"user","content":"a"},{"type":"text","text":"b"}]}"#,
            field: "input", message: ["either turns", "not both"]),
    Mistake(name: "empty model", body: #"{"model":"","input":"x"}"#, field: "model", message: ["'model'", "must not be empty"]),
    Mistake(name: "empty previous_interaction_id", body: #"{"model":"gemini-2.5-flash","input":"x","previous_interaction_id":""}"#,
            field: "previous_interaction_id", message: ["'previous_interaction_id'", "must not be empty"]),
]

@Suite("Validation messages")
struct ValidationMessageTests {
    @Test(arguments: mistakes)
    func mistakeIsRefusedNamingTheField(_ m: Mistake) throws {
        let error = try #require(refusal(m.body))
        #expect(error.httpStatus == 400)
        #expect(error.status == "INVALID_ARGUMENT")
        #expect(error.field == m.field)
        for part in m.message {
            #expect(error.message.contains(part), "message: \(error.message)")
        }
        if let field = m.field, !["model", "agent", "input"].contains(field) {
            // The path appears in the message too, not only in `field`.
            let leaf = field.split(separator: ".").last.map(String.init) ?? field
            #expect(error.message.contains(leaf), "message: \(error.message)")
        }
    }

    @Test func malformedJSONIsAnInvalidArgumentNamingThePosition() throws {
        let error = try #require(refusal("{\"model\": \"gemini-2.5-flash\",\n \"input\": `x`}"))
        #expect(error.httpStatus == 400)
        #expect(error.status == "INVALID_ARGUMENT")
        #expect(error.message.hasPrefix("Invalid JSON payload received."))
        #expect(error.message.contains("line 2, column 11"))
        #expect(error.field == nil)
    }

    @Test(arguments: [#"[]"#, #""text""#, "12", "null"])
    func nonObjectBodiesAreRefused(_ text: String) throws {
        let error = try #require(refusal(text))
        #expect(error.httpStatus == 400)
        #expect(error.message.contains("Expected an object at the top level"))
    }

    @Test func theFirstProblemIsReportedDeterministically() throws {
        // Two unknown members: the report must not depend on dictionary order.
        let first = try #require(refusal(#"{"model":"gemini-2.5-flash","input":"x","zzz":1,"aaa":2}"#))
        for _ in 0..<20 {
            let again = try #require(refusal(#"{"zzz":1,"input":"x","aaa":2,"model":"gemini-2.5-flash"}"#))
            #expect(again == first)
        }
        #expect(first.field == "aaa")
    }

    @Test func schemaViolationBecomesAnAPIErrorWithoutAnEmptyField() {
        let root = APIError(SchemaViolation(field: "", message: "m"))
        #expect(root.field == nil)
        #expect(root.httpStatus == 400)
        let nested = APIError(SchemaViolation(field: "a.b", message: "m"))
        #expect(nested.field == "a.b")
    }

    @Test func fieldPathsPrintLikeGoogles() {
        let p = FieldPath.root.appending("input").appending(2).appending("content").appending(0).appending("call_id")
        #expect(p.description == "input[2].content[0].call_id")
        #expect(FieldPath.root.description == "")
        #expect(FieldPath.root.appending(3).description == "[3]")
    }
}
