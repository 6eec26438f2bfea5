import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import UnderstudyEngine
import UnderstudyModel
import UnderstudyWire

/// The request context: Hummingbird's core storage plus the channel, so a scripted fault can drop the
/// connection and so the admin API can tell loopback callers from others.
public struct UnderstudyContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var remoteIsLoopback: Bool {
        guard let address = channel.remoteAddress else { return false }
        switch address {
        case .v4: return address.ipAddress?.hasPrefix("127.") ?? false
        case .v6: return address.ipAddress == "::1" || (address.ipAddress?.hasPrefix("::ffff:127.") ?? false)
        case .unixDomainSocket: return true
        }
    }
}

extension HTTPField.Name {
    static let googAPIKey = Self("x-goog-api-key")!
    static let retryAfter = Self("retry-after")!
}

/// Building responses in the API's formats.
struct Responses {
    let encoder: LegacyEncoder

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers extra: [String: String] = [:]) -> Response {
        json(body: ByteBuffer(bytes: value.serialized()), status: status, headers: extra)
    }

    /// A JSON response from bytes already printed.
    func json(body: ByteBuffer, status: HTTPResponse.Status = .ok, headers extra: [String: String] = [:]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=UTF-8"
        for (name, v) in extra.sorted(by: { $0.key < $1.key }) {
            if let n = HTTPField.Name(name) { headers[n] = v }
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    func error(_ e: APIError) -> Response {
        json(encoder.error(e), status: HTTPResponse.Status(code: e.httpStatus), headers: e.headers)
    }
}

/// Reads a request body up to a limit, counting bytes itself so that chunked uploads are limited too.
func collectBody(_ request: Request, limit: Int) async throws(APIError) -> [UInt8] {
    var bytes: [UInt8] = []
    do {
        for try await var chunk in request.body {
            if bytes.count + chunk.readableBytes > limit {
                // Google's API front end answers an oversized body with this 400 (not an HTTP 413).
                throw APIError.invalidArgument("Request payload size exceeds the limit: \(limit) bytes.")
            }
            bytes.append(contentsOf: chunk.readBytes(length: chunk.readableBytes) ?? [])
        }
    } catch let e as APIError {
        throw e
    } catch {
        throw APIError.invalidArgument("The request body could not be read: \(error).")
    }
    return bytes
}

extension Request {
    /// Query parameters with percent-decoding; the last value wins for repeated names.
    var query: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in uri.queryParameters {
            out[Self.decodeQueryComponent(k)] = Self.decodeQueryComponent(v)
        }
        return out
    }

    static func decodeQueryComponent(_ part: Substring) -> String {
        guard part.contains(where: { $0 == "%" || $0 == "+" }) else { return String(part) }
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Header names lower-cased with values, in arrival order.
    var headerPairs: [[String]] {
        headers.map { [$0.name.canonicalName, $0.value] }
    }

    /// Lower-cased header names to values; the first occurrence wins.
    var headerMap: [String: String] {
        var out: [String: String] = [:]
        for field in headers where out[field.name.canonicalName] == nil { out[field.name.canonicalName] = field.value }
        return out
    }
}
