import Hummingbird
import UnderstudyEngine
import UnderstudyModel
import UnderstudyStore

/// The Files API subset the SDK's `client.files` calls: resumable upload, get, list, delete.
///
/// Upload is two steps, as with Google: `POST /upload/v1beta/files` with `X-Goog-Upload-Command: start`
/// answers an `x-goog-upload-url`; the bytes are then POSTed there (`upload`, `upload, finalize`) — that
/// second request carries no API key, the session id names the owner.
struct FilesAPI: Sendable {
    let engine: Engine
    let responses: Responses
    let bodyLimit: Int

    func baseURL(_ request: Request) -> String {
        "http://" + (request.head.authority ?? request.headerMap["host"] ?? "127.0.0.1")
    }

    func fileJSON(_ f: FileRecord, active: Bool, base: String) -> JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(f.name), "mimeType": .string(f.mimeType), "sizeBytes": .string(String(f.sizeBytes)),
            "createTime": .string(Timestamp.rfc3339(f.createdMillis / 1000)),
            "updateTime": .string(Timestamp.rfc3339((active ? max(f.createdMillis, min(f.activeAtMillis, f.expiresAtMillis)) : f.createdMillis) / 1000)),
            "expirationTime": .string(Timestamp.rfc3339(f.expiresAtMillis / 1000)),
            "sha256Hash": .string(f.sha256), "uri": .string(base + "/v1beta/" + f.name),
            "state": .string(active ? "ACTIVE" : "PROCESSING"), "source": "UPLOADED",
        ]
        if let d = f.displayName { o["displayName"] = .string(d) }
        return .object(o)
    }

    /// The second step of an upload: bytes for a session, no API key needed.
    func uploadChunk(_ request: Request, session: String) async throws(APIError) -> Response {
        let headers = request.headerMap
        let command = (headers["x-goog-upload-command"] ?? "upload, finalize").lowercased()
        let commands = Set(command.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard commands.contains("upload") || commands.contains("finalize") else {
            throw APIError.invalidArgument("X-Goog-Upload-Command must be 'upload', 'finalize' or 'upload, finalize', not '\(command)'.", field: "X-Goog-Upload-Command")
        }
        let offset = Int64(headers["x-goog-upload-offset"] ?? "0") ?? -1
        let bytes = try await collectBody(request, limit: bodyLimit)
        let finalize = commands.contains("finalize")
        guard let file = try await engine.uploadFileChunk(session: session, offset: offset, chunk: bytes, finalize: finalize) else {
            return responses.json(.object([:]), headers: ["x-goog-upload-status": "active"])
        }
        return responses.json(["file": fileJSON(file, active: false, base: baseURL(request))], headers: ["x-goog-upload-status": "final"])
    }

    func respond(route: APIRoute, request: Request, key: String) async throws(APIError) -> Response {
        let base = baseURL(request)
        switch route {
        case .upload:
            let headers = request.headerMap
            guard (headers["x-goog-upload-protocol"] ?? "resumable").lowercased() == "resumable",
                (headers["x-goog-upload-command"] ?? "start").lowercased() == "start"
            else {
                throw APIError.invalidArgument("Start an upload with X-Goog-Upload-Protocol: resumable and X-Goog-Upload-Command: start.", field: "X-Goog-Upload-Command")
            }
            let body = try await collectBody(request, limit: 1 << 20)
            let json = body.isEmpty ? JSONValue.object([:]) : ((try? JSONValue.parse(body)) ?? .null)
            guard case .object = json else { throw APIError.invalidArgument("Invalid JSON payload received: the upload metadata must be an object.") }
            let file = json["file"] ?? .object([:])
            let mime = headers["x-goog-upload-header-content-type"] ?? file["mime_type"]?.stringValue ?? file["mimeType"]?.stringValue
            let size = (headers["x-goog-upload-header-content-length"]).flatMap { Int64($0) }
                ?? file["size_bytes"]?.intValue ?? file["sizeBytes"]?.stringValue.flatMap { Int64($0) }
            let display = file["display_name"]?.stringValue ?? file["displayName"]?.stringValue
            if let size, size > Int64(bodyLimit) {
                throw APIError(httpStatus: 413, status: "INVALID_ARGUMENT", message: "File size \(size) exceeds the limit of \(bodyLimit) bytes.", field: "file.size_bytes")
            }
            let session = try await engine.startFileUpload(tenantKey: key, displayName: display, mimeType: mime, declaredSize: size)
            return responses.json(.object([:]), headers: [
                "x-goog-upload-url": base + "/upload/v1beta/files?upload_id=" + session,
                "x-goog-upload-status": "active",
            ])
        case .files:
            let files = try await engine.listFiles(tenantKey: key)
            var o: [String: JSONValue] = [:]
            if !files.isEmpty { o["files"] = .array(files.map { fileJSON($0.0, active: $0.active, base: base) }) }
            return responses.json(.object(o))
        case .file(let name):
            if request.method == .delete {
                try await engine.deleteFile(name, tenantKey: key)
                return responses.json(.object([:]))
            }
            let (file, active) = try await engine.file(name, tenantKey: key)
            return responses.json(fileJSON(file, active: active, base: base))
        default:
            throw APIError.notFound("Method not found.")
        }
    }
}
