import UnderstudyModel

/// Rules of the API that depend on more than one field: store/background, agent constraints, the guide's
/// stated limitations on tool combinations and remote MCP. Each violation names the field to blame.
enum RequestRules {
    static func check(_ r: CreateRequest) throws(APIError) {
        if !r.store && r.background {
            throw .invalidArgument("'background' interactions must be stored: 'store' cannot be false when 'background' is true.", field: "store")
        }
        if case .agent(let agent) = r.target {
            if !r.background {
                throw .invalidArgument("Agent '\(agent)' runs only in the background: set 'background' to true.", field: "background")
            }
            if r.tools.contains(where: { $0.type == "function" }) {
                throw .invalidArgument("Agent '\(agent)' does not support custom function tools.", field: "tools")
            }
            if r.tools.contains(where: { $0.type == "mcp_server" }) {
                throw .invalidArgument("Agent '\(agent)' does not support remote MCP servers.", field: "tools")
            }
            if r.responseFormat != nil {
                throw .invalidArgument("Agent '\(agent)' does not support structured output ('response_format').", field: "response_format")
            }
            for (i, turn) in r.input.enumerated() {
                if turn.content.contains(where: { $0.type == "audio" }) {
                    throw .invalidArgument("Agent '\(agent)' does not accept audio input.", field: r.inputForm == .turns ? "input[\(i)]" : "input")
                }
            }
        }
        try checkTools(r)
    }

    static func checkTools(_ r: CreateRequest) throws(APIError) {
        var seenFunctionNames: Set<String> = []
        var hasMCP = false, hasFunction = false, hasBuiltIn = false
        for (i, tool) in r.tools.enumerated() {
            let path = "tools[\(i)]"
            switch tool.type {
            case "function":
                hasFunction = true
                let name = tool.name ?? ""
                guard isValidFunctionName(name) else {
                    throw .invalidArgument(
                        "Invalid function name '\(name)' at '\(path).name': it must start with a letter or underscore and contain only letters, digits, underscores, dots, colons or dashes (at most 64 characters).",
                        field: "\(path).name")
                }
                guard seenFunctionNames.insert(name).inserted else {
                    throw .invalidArgument("Duplicate function name '\(name)' at '\(path).name': function names must be unique.", field: "\(path).name")
                }
                if let params = tool.parameters, let required = params["required"]?.arrayValue, required.isEmpty {
                    throw .invalidArgument("Invalid value at '\(path).parameters.required': the list must not be empty; omit it instead.", field: "\(path).parameters.required")
                }
            case "mcp_server":
                hasMCP = true
                let name = tool.name ?? ""
                if name.isEmpty {
                    throw .invalidArgument("Missing required field '\(path).name' for an mcp_server tool.", field: "\(path).name")
                }
                if name.contains("-") {
                    throw .invalidArgument("Invalid MCP server name '\(name)' at '\(path).name': names must not contain '-'; use snake_case (e.g. '\(name.replacingOccurrences(of: "-", with: "_"))').", field: "\(path).name")
                }
                if (tool.fields["url"]?.stringValue ?? "").isEmpty {
                    throw .invalidArgument("Missing required field '\(path).url' for an mcp_server tool.", field: "\(path).url")
                }
                if case .model(let m) = r.target, Catalog.isGemini3(m) {
                    throw .invalidArgument("Remote MCP servers are not supported with Gemini 3 models ('\(m)'); use a Gemini 2.5 model.", field: "\(path)")
                }
            case "computer_use":
                if case .model(let m) = r.target, !Catalog.isComputerUseModel(m) {
                    throw .invalidArgument("The computer_use tool requires a computer-use model such as 'gemini-2.5-computer-use-preview-10-2025', not '\(m)'.", field: "\(path)")
                }
            default:
                if tool.isBuiltIn { hasBuiltIn = true }
            }
        }
        let kinds = [hasMCP, hasFunction, hasBuiltIn].filter { $0 }.count
        if kinds > 1 {
            let names = [hasMCP ? "remote MCP" : nil, hasFunction ? "function calling" : nil, hasBuiltIn ? "built-in tools" : nil].compactMap { $0 }
            throw .invalidArgument("Combining \(names.joined(separator: " and ")) in one request is not supported yet.", field: "tools")
        }
    }

    static func isValidFunctionName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 64 else { return false }
        guard first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.:-".unicodeScalars.contains($0)) }
    }
}
