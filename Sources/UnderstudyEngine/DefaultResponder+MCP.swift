import UnderstudyGenerators
import UnderstudyModel

extension DefaultResponder {
    /// Remote MCP: lists the server's tools (over streamable HTTP), calls the one that fits the prompt
    /// best (within `allowed_tools`), and answers with `mcp_server_tool_call`, `mcp_server_tool_result`
    /// and a text using the result. An unreachable or SSE-only server makes the interaction fail, naming
    /// the server. Nil when no `mcp_server` tool is declared.
    func mcpReply(_ context: ResponseContext) async -> Reply? {
        let servers = context.request.tools.filter { $0.type == "mcp_server" }
        guard let server = servers.first, let url = server.fields["url"]?.stringValue, let serverName = server.name else { return nil }
        let headers = (server.fields["headers"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        var client = MCPClient(url: url, headers: headers)
        do {
            var tools = try await client.connect()
            let allowed = (server.fields["allowed_tools"]?.arrayValue ?? []).flatMap { ($0["tools"]?.arrayValue ?? []).compactMap(\.stringValue) }
            if !allowed.isEmpty { tools = tools.filter { allowed.contains($0.name) } }
            guard !tools.isEmpty else {
                return failed("The MCP server '\(serverName)' offers no tool this request may use.")
            }
            let words = Set(context.lastUserText.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init))
            let tool = tools.max { a, b in score(a, words) < score(b, words) } ?? tools[0]
            let arguments = JSONSchemaInstance(seed: context.identity.seed, label: context.label + "|mcp|" + tool.name).instance(for: tool.inputSchema)
            let id = context.identity.shortID(8, context.label, "mcp", tool.name)
            let result = try await client.callTool(tool.name, arguments: arguments.objectValue != nil ? arguments : [:])
            let texts = (result["content"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }
            let resultValue: JSONValue = texts.isEmpty ? result : .string(texts.joined(separator: "\n"))
            var resultBlock = Content(type: "mcp_server_tool_result", fields: [
                "call_id": .string(id), "name": .string(tool.name), "server_name": .string(serverName), "result": resultValue,
            ])
            if result["isError"]?.boolValue == true { resultBlock.fields["is_error"] = true }
            return Reply(outputs: [
                Content(type: "mcp_server_tool_call", fields: [
                    "id": .string(id), "name": .string(tool.name), "server_name": .string(serverName), "arguments": arguments.objectValue != nil ? arguments : [:],
                ]),
                resultBlock,
                .text("The \(serverName) tool \(tool.name) answered: \(texts.isEmpty ? result.jsonString : texts.joined(separator: " "))"),
            ])
        } catch {
            return failed("\(error)")
        }
    }

    func score(_ tool: MCPClient.ToolInfo, _ words: Set<String>) -> Int {
        let text = (tool.name.replacingOccurrences(of: "_", with: " ") + " " + tool.description).lowercased()
        return words.filter { $0.count > 3 && text.contains($0) }.count
    }

    func failed(_ message: String) -> Reply {
        var reply = Reply(outputs: [], status: .failed)
        reply.failure = InteractionFailure(code: "mcp_server_error", message: message)
        return reply
    }
}
