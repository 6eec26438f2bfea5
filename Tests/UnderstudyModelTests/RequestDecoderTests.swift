import Testing
import UnderstudyModel
import UnderstudyWire

/// One content block in canonical form (what a client sends and what must come out unchanged).
struct Block: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var testDescription: String { name }
    var value: JSONValue { json(text) }
}

let everyContentBlock: [Block] = [
    Block(name: "text", text: #"{"type":"text","text":"Hello ✓","annotations":[{"start_index":0,"end_index":5,"source":"https://example.com/a"},{"type":"url_citation","url":"https://example.com/b","title":"B","start_index":1,"end_index":2}]}"#),
    Block(name: "image (data)", text: #"{"type":"image","data":"iVBORw0KGgo=","mime_type":"image/png","resolution":"high"}"#),
    Block(name: "image (uri)", text: #"{"type":"image","uri":"https://example.com/cat.jpg"}"#),
    Block(name: "audio", text: #"{"type":"audio","data":"UklGRgAAAAA","mime_type":"audio/wav"}"#),
    Block(name: "document", text: #"{"type":"document","uri":"https://generativelanguage.googleapis.com/v1beta/files/abc","mime_type":"application/pdf"}"#),
    Block(name: "video", text: #"{"type":"video","uri":"https://example.com/v.mp4","mime_type":"video/mp4","resolution":"ultra_high"}"#),
    Block(name: "thought (summary)", text: #"{"type":"thought","signature":"ZmFrZS1zaWctMDE=","summary":[{"type":"text","text":"Planning."},{"type":"image","data":"AAAA","mime_type":"image/png"}]}"#),
    Block(name: "thought (signature only)", text: #"{"type":"thought","signature":"ZmFrZS1zaWctMDE"}"#),
    Block(name: "function_call", text: #"{"type":"function_call","id":"fc_01","name":"get_weather","arguments":{"location":"Paris","days":3,"units":{"temp":"C"}},"signature":"c2ln"}"#),
    Block(name: "function_result (string)", text: #"{"type":"function_result","call_id":"fc_01","name":"get_weather","result":"Sunny."}"#),
    Block(name: "function_result (object)", text: #"{"type":"function_result","call_id":"fc_01","result":{"temperature":21.5,"ok":true},"is_error":false}"#),
    Block(name: "function_result (items)", text: #"{"type":"function_result","call_id":"fc_01","result":{"items":["see image",{"type":"image","data":"AAAA","mime_type":"image/png"}]}}"#),
    Block(name: "function_result (list)", text: #"{"type":"function_result","call_id":"fc_01","result":["plain",{"type":"text","text":"block"}],"is_error":true}"#),
    Block(name: "code_execution_call", text: #"{"type":"code_execution_call","id":"ce_1","arguments":{"code":"print(1)","language":"python"}}"#),
    Block(name: "code_execution_result", text: #"{"type":"code_execution_result","call_id":"ce_1","result":"1\n","is_error":false,"signature":"c2ln"}"#),
    Block(name: "url_context_call", text: #"{"type":"url_context_call","id":"uc_1","arguments":{"urls":["https://example.com"]}}"#),
    Block(name: "url_context_result", text: #"{"type":"url_context_result","call_id":"uc_1","result":[{"url":"https://example.com","status":"success"},{"url":"https://x.test","status":"paywall"}],"signature":"c2ln"}"#),
    Block(name: "google_search_call", text: #"{"type":"google_search_call","id":"gs_1","arguments":{"queries":["last super bowl winner"]},"search_type":"web_search"}"#),
    Block(name: "google_search_result", text: #"{"type":"google_search_result","call_id":"gs_1","result":[{"url":"https://nfl.test","title":"nfl","rendered_content":"<div>…</div>"}],"signature":"c2ln"}"#),
    Block(name: "mcp_server_tool_call", text: #"{"type":"mcp_server_tool_call","id":"mcp_1","name":"get_forecast","server_name":"weather_service","arguments":{"city":"Oslo"}}"#),
    Block(name: "mcp_server_tool_result", text: #"{"type":"mcp_server_tool_result","call_id":"mcp_1","name":"get_forecast","server_name":"weather_service","result":{"items":[{"type":"text","text":"Rain"}]}}"#),
    Block(name: "file_search_call", text: #"{"type":"file_search_call","id":"fs_1"}"#),
    Block(name: "file_search_result", text: #"{"type":"file_search_result","call_id":"fs_1","result":[{"title":"a.pdf","text":"…","file_search_store":"fileSearchStores/s1"}]}"#),
    Block(name: "google_maps_call", text: #"{"type":"google_maps_call","id":"gm_1","arguments":{"queries":["coffee near me"]}}"#),
    Block(name: "google_maps_result", text: #"{"type":"google_maps_result","call_id":"gm_1","result":[{"name":"Café","place_id":"p1"}]}"#),
]

@Suite("LegacyRequestDecoder: content and input forms")
struct ContentRoundTripTests {
    @Test func theTableCoversAllTwentyKinds() {
        let kinds = Set(everyContentBlock.compactMap { $0.value["type"]?.stringValue })
        #expect(kinds == Set(ContentKind.allCases.map(\.rawValue)))
        #expect(kinds.count == 20)
    }

    @Test("as the single content object", arguments: everyContentBlock)
    func singleContent(_ block: Block) throws {
        let r = try decode(body(input: block.value))
        #expect(r.inputForm == .singleContent)
        #expect(r.input.count == 1)
        #expect(r.input.first?.role == .user)
        #expect(r.input.first?.content.map(\.json) == [block.value])
    }

    @Test("in a content list", arguments: everyContentBlock)
    func contentList(_ block: Block) throws {
        let r = try decode(body(input: [["type": "text", "text": "before"], block.value]))
        #expect(r.inputForm == .contentList)
        #expect(r.input.count == 1)
        #expect(r.input.first?.content.map(\.json) == [["type": "text", "text": "before"], block.value])
    }

    @Test("in a turn", arguments: everyContentBlock)
    func inTurns(_ block: Block) throws {
        let turns: JSONValue = [
            ["role": "user", "content": "question"],
            ["role": "model", "content": [block.value]],
            ["content": [block.value]],
        ]
        let r = try decode(body(input: turns))
        #expect(r.inputForm == .turns)
        #expect(r.input.map(\.role) == [.user, .model, .user])
        #expect(r.input[0].content.map(\.json) == [["type": "text", "text": "question"]])
        #expect(r.input[1].content.map(\.json) == [block.value])
        #expect(r.input[2].content.map(\.json) == [block.value])
    }

    @Test("the Content model keeps every member", arguments: everyContentBlock)
    func contentModel(_ block: Block) throws {
        let c = try #require(Content(json: block.value))
        #expect(c.json == block.value)
        #expect(c.type == block.value["type"]?.stringValue)
        #expect(c.fields["type"] == nil)
        #expect(c.kind != nil)
    }

    @Test func stringInputIsOneUserTextTurn() throws {
        let r = try decode(body(input: "Tell me a joke"))
        #expect(r.inputForm == .string)
        #expect(r.input == [Turn(role: .user, content: [.text("Tell me a joke")])])
    }

    @Test func turnContentMayBeAString() throws {
        let r = try decode(body(input: json(#"[{"role":"user","content":"a"},{"role":"model","content":"b"},{"role":"user","content":"c"}]"#)))
        #expect(r.input.map(\.text) == ["a", "b", "c"])
        #expect(r.input.map(\.role) == [.user, .model, .user])
    }

    @Test func caseInsensitiveEnumsAreFoldedToTheirCanonicalSpelling() throws {
        let r = try decode(body(input: json(#"[{"type":"image","data":"AAAA","mime_type":"IMAGE/PNG"},{"type":"url_context_result","call_id":"u","result":[{"url":"x","status":"SUCCESS"}]}]"#)))
        #expect(r.input[0].content[0].mimeType == "image/png")
        #expect(r.input[0].content[1].result?.arrayValue?.first?["status"] == "success")
    }

    @Test func nullOptionalMembersMeanUnset() throws {
        let r = try decode(body(input: json(#"{"type":"text","text":"x","annotations":null}"#)))
        #expect(r.input[0].content[0].json == ["type": "text", "text": "x"])
    }

    @Test func modelAndAgentPrefixesAreStripped() throws {
        #expect(try decode(body(["model": "models/gemini-2.5-pro"])).target == .model("gemini-2.5-pro"))
        let agent = try decode(json(#"{"agent":"agents/deep-research-pro-preview-12-2025","input":"x"}"#))
        #expect(agent.target == .agent("deep-research-pro-preview-12-2025"))
    }
}

/// A tool in canonical form, and what the decoder must turn it into.
struct ToolCase: Sendable, CustomTestStringConvertible {
    var name: String
    var sent: String
    var canonical: String
    var testDescription: String { name }
}

let everyToolType: [ToolCase] = [
    ToolCase(
        name: "function",
        sent: #"{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}"#,
        canonical: #"{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}"#),
    ToolCase(name: "google_search", sent: #"{"type":"google_search"}"#, canonical: #"{"type":"google_search"}"#),
    ToolCase(name: "google_search (search_types)", sent: #"{"type":"google_search","search_types":["web_search","image_search"]}"#, canonical: #"{"type":"google_search","search_types":["web_search","image_search"]}"#),
    ToolCase(name: "code_execution", sent: #"{"type":"code_execution"}"#, canonical: #"{"type":"code_execution"}"#),
    ToolCase(name: "url_context", sent: #"{"type":"url_context"}"#, canonical: #"{"type":"url_context"}"#),
    ToolCase(
        name: "computer_use (camelCase alias)",
        sent: #"{"type":"computer_use","environment":"browser","excludedPredefinedFunctions":["drag_and_drop"]}"#,
        canonical: #"{"type":"computer_use","environment":"browser","excluded_predefined_functions":["drag_and_drop"]}"#),
    ToolCase(
        name: "computer_use (snake_case)",
        sent: #"{"type":"computer_use","environment":"browser","excluded_predefined_functions":["open_web_browser"]}"#,
        canonical: #"{"type":"computer_use","environment":"browser","excluded_predefined_functions":["open_web_browser"]}"#),
    ToolCase(
        name: "mcp_server",
        sent: #"{"type":"mcp_server","name":"weather_service","url":"https://example.test/mcp","headers":{"Authorization":"Bearer t"},"allowed_tools":[{"mode":"auto","tools":["get_forecast"]}]}"#,
        canonical: #"{"type":"mcp_server","name":"weather_service","url":"https://example.test/mcp","headers":{"Authorization":"Bearer t"},"allowed_tools":[{"mode":"auto","tools":["get_forecast"]}]}"#),
    ToolCase(
        name: "file_search",
        sent: #"{"type":"file_search","file_search_store_names":["fileSearchStores/my-store"],"top_k":3,"metadata_filter":"year > 2020"}"#,
        canonical: #"{"type":"file_search","file_search_store_names":["fileSearchStores/my-store"],"top_k":3,"metadata_filter":"year > 2020"}"#),
    ToolCase(
        name: "google_maps",
        sent: #"{"type":"google_maps","enable_widget":true,"latitude":48.85,"longitude":2}"#,
        canonical: #"{"type":"google_maps","enable_widget":true,"latitude":48.85,"longitude":2}"#),
    ToolCase(
        name: "retrieval",
        sent: #"{"type":"retrieval","retrieval_types":["vertex_ai_search"],"vertex_ai_search_config":{"datastores":["projects/p/ds/1"],"engine":"e"}}"#,
        canonical: #"{"type":"retrieval","retrieval_types":["vertex_ai_search"],"vertex_ai_search_config":{"datastores":["projects/p/ds/1"],"engine":"e"}}"#),
]

@Suite("LegacyRequestDecoder: tools and settings")
struct RequestSettingsTests {
    @Test("tool round trip", arguments: everyToolType)
    func tool(_ t: ToolCase) throws {
        let r = try decode(body(["tools": [json(t.sent)]]))
        #expect(r.tools.count == 1)
        #expect(r.tools.first?.json == json(t.canonical))
        #expect(r.tools.first?.type == json(t.canonical)["type"]?.stringValue)
    }

    @Test func computerUseRefusesTheAliasAndTheCanonicalNameTogether() {
        let e = refusal(body(["tools": [json(#"{"type":"computer_use","excludedPredefinedFunctions":["a"],"excluded_predefined_functions":["b"]}"#)]]))
        #expect(e?.httpStatus == 400)
        #expect(e?.message.contains("set twice") == true)
        #expect(e?.field?.hasPrefix("tools[0].") == true)
    }

    @Test func fullGenerationConfigIsTyped() throws {
        let r = try decode(body(["generation_config": json(#"""
            {"temperature": 0.7, "top_p": 1, "seed": 42, "max_output_tokens": 256.0,
             "stop_sequences": ["END", "STOP"], "thinking_level": "LOW", "thinking_summaries": "none",
             "tool_choice": "ANY", "speech_config": {"voice": "kore", "language": "en-us"},
             "image_config": {"aspect_ratio": "9:16", "image_size": "2k"}}
            """#)]))
        let c = r.generationConfig
        #expect(r.hasGenerationConfig)
        #expect(c.temperature == 0.7)
        #expect(c.topP == 1)
        #expect(c.seed == 42)
        #expect(c.maxOutputTokens == 256)
        #expect(c.stopSequences == ["END", "STOP"])
        #expect(c.thinkingLevel == "low")
        #expect(c.thinkingSummaries == "none")
        #expect(c.toolChoice == .mode("any"))
        #expect(c.speechConfig == [SpeechConfig(voice: "kore", language: "en-us")])
        #expect(c.imageAspectRatio == "9:16")
        #expect(c.imageSize == "2K")
    }

    @Test(arguments: ["minimal", "low", "medium", "high"])
    func everyThinkingLevel(_ level: String) throws {
        #expect(try decode(body(["generation_config": ["thinking_level": .string(level)]])).generationConfig.thinkingLevel == level)
    }

    @Test func speechConfigAsAListOfSpeakers() throws {
        let r = try decode(body(["generation_config": json(#"{"speech_config":[{"voice":"Zephyr","speaker":"Alice","language":"en-US"},{"voice":"Puck","speaker":"Bob"}]}"#)]))
        #expect(r.generationConfig.speechConfig == [
            SpeechConfig(voice: "Zephyr", language: "en-US", speaker: "Alice"),
            SpeechConfig(voice: "Puck", speaker: "Bob"),
        ])
    }

    @Test func toolChoiceObjectNamesModeAndTools() throws {
        let r = try decode(body(["generation_config": json(#"{"tool_choice":{"allowed_tools":{"mode":"validated","tools":["a","b"]}}}"#)]))
        #expect(r.generationConfig.toolChoice == .allowed(mode: "validated", tools: ["a", "b"]))
        #expect(r.generationConfig.toolChoice?.mode == "validated")
    }

    @Test(arguments: ["auto", "any", "none", "validated"])
    func toolChoiceModes(_ mode: String) throws {
        #expect(try decode(body(["generation_config": ["tool_choice": .string(mode)]])).generationConfig.toolChoice == .mode(mode))
    }

    @Test func noGenerationConfigMeansDefaults() throws {
        let r = try decode(body())
        #expect(!r.hasGenerationConfig)
        #expect(r.generationConfig == GenerationConfig())
        #expect(r.store && !r.background && !r.stream)
    }

    @Test func deepResearchAgentConfig() throws {
        let r = try decode(json(#"{"agent":"deep-research-pro-preview-12-2025","input":"TPUs","background":true,"agent_config":{"type":"deep-research","thinking_summaries":"AUTO","visualization":"off","collaborative_planning":false}}"#))
        #expect(r.target == .agent("deep-research-pro-preview-12-2025"))
        #expect(r.agentConfig == json(#"{"type":"deep-research","thinking_summaries":"auto","visualization":"off","collaborative_planning":false}"#))
        #expect(r.background)
    }

    @Test func dynamicAgentConfigKeepsUnknownMembers() throws {
        let r = try decode(json(#"{"agent":"deep-research-pro-preview-12-2025","input":"x","agent_config":{"type":"dynamic","anything":{"goes":[1]},"x":1}}"#))
        #expect(r.agentConfig == json(#"{"type":"dynamic","anything":{"goes":[1]},"x":1}"#))
    }

    @Test func responseShapingMembers() throws {
        let r = try decode(body([
            "response_format": json(#"{"type":"object","properties":{"a":{"type":"string"}}}"#),
            "response_mime_type": "application/json",
            "response_modalities": ["IMAGE", "text", "Audio"],
        ]))
        #expect(r.responseFormat == json(#"{"type":"object","properties":{"a":{"type":"string"}}}"#))
        #expect(r.responseMimeType == "application/json")
        #expect(r.responseModalities == ["image", "text", "audio"])
    }

    @Test(arguments: ["flex", "standard", "priority", "PRIORITY"])
    func serviceTier(_ tier: String) throws {
        #expect(try decode(body(["service_tier": .string(tier)])).serviceTier == tier.lowercased())
    }

    @Test func webhookConfig() throws {
        let r = try decode(body(["webhook_config": json(#"{"uris":["https://hook.test/a"],"user_metadata":{"job":7}}"#)]))
        #expect(r.webhookConfig == json(#"{"uris":["https://hook.test/a"],"user_metadata":{"job":7}}"#))
    }

    @Test func lifecycleFlagsAndChaining() throws {
        let r = try decode(body([
            "stream": true, "store": false, "background": false, "previous_interaction_id": "v1_abc",
            "system_instruction": "Be brief.",
        ]))
        #expect(r.stream && !r.store && !r.background)
        #expect(r.previousInteractionID == "v1_abc")
        #expect(r.systemInstruction == "Be brief.")
    }

    @Test func sdkKeyOrderDoesNotMatter() throws {
        let a = try decode(#"{"input":"x","model":"gemini-2.5-flash","stream":true,"tools":[{"type":"url_context"}]}"#)
        let b = try decode(#"{"tools":[{"type":"url_context"}],"stream":true,"model":"gemini-2.5-flash","input":"x"}"#)
        #expect(a.tools == b.tools && a.input == b.input && a.stream == b.stream && a.target == b.target)
    }
}
