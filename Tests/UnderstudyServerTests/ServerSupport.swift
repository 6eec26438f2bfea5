import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Testing
import UnderstudyEngine
import UnderstudyModel
import UnderstudyServer
import UnderstudyStore
import UnderstudyWire

struct ServerStartFailure: Error {}

/// A running server on a free port, for the duration of `body`.
struct LiveServer: Sendable {
    let port: Int
    let engine: Engine
    let client: HTTPClient

    var base: String { "http://127.0.0.1:\(port)" }
}

/// Starts the real Hummingbird server in-process on port 0, runs `body`, then stops it.
func withServer<T: Sendable>(
    seed: UInt64 = 0,
    database: String = ":memory:",
    engine configureEngine: @Sendable (inout EngineConfiguration) -> Void = { _ in },
    server configureServer: @Sendable (inout ServerConfiguration) -> Void = { _ in },
    _ body: @Sendable (LiveServer) async throws -> T
) async throws -> T {
    var engineConfiguration = EngineConfiguration()
    engineConfiguration.seed = seed
    configureEngine(&engineConfiguration)
    var logger = Logger(label: "understudy.tests")
    logger.logLevel = .critical
    let engine = Engine(configuration: engineConfiguration, store: try SQLiteStore(path: database), logger: logger)
    var serverConfiguration = ServerConfiguration()
    serverConfiguration.port = 0
    configureServer(&serverConfiguration)
    let server = UnderstudyServer(engine: engine, configuration: serverConfiguration, logger: logger)
    let (ports, portSink) = AsyncStream<Int>.makeStream()
    let app = server.application { port in
        portSink.yield(port)
        portSink.finish()
    }
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var it = ports.makeAsyncIterator()
            guard let port = await it.next() else { throw ServerStartFailure() }
            defer { group.cancelAll() }
            return try await body(LiveServer(port: port, engine: engine, client: client))
        }
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// One HTTP exchange, fully read.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
}

extension LiveServer {
    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, key: String? = "key-1", headers: [(String, String)] = []) -> HTTPClientRequest {
        var r = HTTPClientRequest(url: base + path)
        r.method = method
        if let key { r.headers.add(name: "x-goog-api-key", value: key) }
        r.headers.add(name: "Content-Type", value: "application/json")
        for (n, v) in headers { r.headers.add(name: n, value: v) }
        if let body { r.body = .bytes(ByteBuffer(string: body)) }
        return r
    }

    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, key: String? = "key-1", headers: [(String, String)] = []) async throws -> HTTPResult {
        try await send(request(method, path, body: body, key: key, headers: headers))
    }

    func send(_ r: HTTPClientRequest) async throws -> HTTPResult {
        let response = try await client.execute(r, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
    }

    func create(_ body: String, key: String = "key-1") async throws -> JSONValue {
        let r = try await send(.POST, "/v1beta/interactions", body: body, key: key)
        #expect(r.status == 200, "\(r.text)")
        return try JSONValue.parse(r.body)
    }
}

/// One parsed SSE frame.
struct SSEFrame: Sendable, Equatable {
    var raw: String
    var event: String?
    var data: String
    var json: JSONValue? { try? JSONValue.parse(data) }
}

/// Splits an SSE body into frames, checking the framing the SDKs need: blocks separated by a blank
/// line, an `event:` line and exactly one `data:` line of compact JSON, no `id:` lines, no comments.
func parseSSE(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [SSEFrame] {
    var frames: [SSEFrame] = []
    var rest = Substring(text)
    while let end = rest.range(of: "\n\n") {
        let block = String(rest[..<end.lowerBound])
        rest = rest[end.upperBound...]
        frames.append(frame(block, sourceLocation: sourceLocation))
    }
    #expect(rest.isEmpty, "trailing bytes after the last frame: \(rest.debugDescription)", sourceLocation: sourceLocation)
    return frames
}

func frame(_ block: String, sourceLocation: SourceLocation = #_sourceLocation) -> SSEFrame {
    let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let events = lines.filter { $0.hasPrefix("event:") }
    let datas = lines.filter { $0.hasPrefix("data:") }
    #expect(!lines.contains { $0.hasPrefix("id:") }, "id: line in \(block)", sourceLocation: sourceLocation)
    #expect(!lines.contains { $0.hasPrefix(":") }, "comment in \(block)", sourceLocation: sourceLocation)
    #expect(!lines.contains { $0.hasSuffix("\r") }, sourceLocation: sourceLocation)
    #expect(events.count == 1 && datas.count == 1 && lines.count == 2, "bad frame \(block.debugDescription)", sourceLocation: sourceLocation)
    let data = String((datas.first ?? "data: ").dropFirst(5)).trimmingCharacters(in: .init(charactersIn: " "))
    let event = events.first.map { String($0.dropFirst(6)).trimmingCharacters(in: .init(charactersIn: " ")) }
    if let json = try? JSONValue.parse(data) {
        #expect(json.jsonString == data, "data is not compact canonical JSON", sourceLocation: sourceLocation)
        #expect(json["event_type"]?.stringValue == event, sourceLocation: sourceLocation)
        #expect(json["event_id"]?.stringValue?.hasPrefix("evt_") == true, sourceLocation: sourceLocation)
    } else {
        Issue.record("data is not JSON: \(data)", sourceLocation: sourceLocation)
    }
    return SSEFrame(raw: block + "\n\n", event: event, data: data)
}

/// Reads frames from a streaming response as they arrive; stops after `limit` frames (dropping the
/// connection) or at the end of the body.
func readFrames(_ response: HTTPClientResponse, limit: Int = .max) async throws -> [SSEFrame] {
    var frames: [SSEFrame] = []
    var buffer = ""
    for try await chunk in response.body {
        buffer += String(decoding: chunk.readableBytesView, as: UTF8.self)
        while let end = buffer.range(of: "\n\n") {
            frames.append(frame(String(buffer[..<end.lowerBound])))
            buffer = String(buffer[end.upperBound...])
            if frames.count >= limit { return frames }
        }
    }
    #expect(buffer.isEmpty)
    return frames
}

extension JSONValue {
    /// Element access for arrays; `nil` for other kinds or indices out of range.
    subscript(index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
