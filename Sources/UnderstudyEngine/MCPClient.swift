import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import UnderstudyModel

/// A minimal MCP client over streamable HTTP (JSON-RPC 2.0 POSTs; answers as JSON or as an SSE
/// stream), enough to list a remote server's tools and call one, as the Interactions API does for
/// `mcp_server` tools.
struct MCPClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct ToolInfo {
        var name: String
        var description: String
        var inputSchema: JSONValue
    }

    let url: String
    let headers: [String: String]
    var sessionID: String?
    var nextID = 1
    static let timeout = TimeAmount.seconds(5)

    init(url: String, headers: [String: String]) {
        self.url = url
        self.headers = headers
    }

    /// `initialize`, `notifications/initialized`, then `tools/list`.
    mutating func connect() async throws -> [ToolInfo] {
        if url.hasSuffix("/sse") {
            throw Failure(description: "The MCP server at \(url) looks like an SSE-only server; only streamable HTTP servers are supported.")
        }
        _ = try await call("initialize", params: [
            "protocolVersion": "2025-03-26", "capabilities": [:],
            "clientInfo": ["name": "understudy", "version": "0.1.0"],
        ])
        _ = try await notify("notifications/initialized")
        let listed = try await call("tools/list", params: [:])
        return (listed["tools"]?.arrayValue ?? []).compactMap { t in
            guard let name = t["name"]?.stringValue else { return nil }
            return ToolInfo(name: name, description: t["description"]?.stringValue ?? "", inputSchema: t["inputSchema"] ?? ["type": "object"])
        }
    }

    mutating func callTool(_ name: String, arguments: JSONValue) async throws -> JSONValue {
        try await call("tools/call", params: ["name": .string(name), "arguments": arguments])
    }

    mutating func notify(_ method: String) async throws -> Int {
        let (status, _, _) = try await post(["jsonrpc": "2.0", "method": .string(method)])
        return status
    }

    mutating func call(_ method: String, params: JSONValue) async throws -> JSONValue {
        let id = nextID
        nextID += 1
        let (status, contentType, body) = try await post(["jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(method), "params": params])
        guard (200..<300).contains(status) else {
            if status == 404 || status == 405 {
                throw Failure(description: "The MCP server at \(url) answered \(status) to a streamable-HTTP POST; SSE-only servers are not supported.")
            }
            throw Failure(description: "The MCP server at \(url) answered HTTP \(status) to \(method).")
        }
        let messages: [JSONValue]
        if contentType.hasPrefix("text/event-stream") {
            messages = body.components(separatedBy: "\n").compactMap { line in
                line.hasPrefix("data:") ? try? JSONValue.parse(String(line.dropFirst(5)).trimmingCharacters(in: .whitespaces)) : nil
            }
        } else {
            messages = [(try? JSONValue.parse(body)) ?? .null]
        }
        guard let response = messages.first(where: { $0["id"]?.intValue == Int64(id) }) else {
            throw Failure(description: "The MCP server at \(url) sent no JSON-RPC response to \(method).")
        }
        if let error = response["error"] {
            throw Failure(description: "The MCP server at \(url) returned an error to \(method): \(error["message"]?.stringValue ?? error.jsonString)")
        }
        return response["result"] ?? .object([:])
    }

    mutating func post(_ message: JSONValue) async throws -> (Int, String, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let sessionID { request.headers.add(name: "Mcp-Session-Id", value: sessionID) }
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: k, value: v) }
        request.body = .bytes(ByteBuffer(bytes: message.serialized()))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: Self.timeout)
        } catch {
            throw Failure(description: "The MCP server at \(url) is not reachable: \(error).")
        }
        if let session = response.headers.first(name: "Mcp-Session-Id") { sessionID = session }
        var body = try await response.body.collect(upTo: 8 << 20)
        let text = body.readString(length: body.readableBytes) ?? ""
        return (Int(response.status.code), response.headers.first(name: "Content-Type") ?? "", text)
    }
}
