import AsyncHTTPClient
import Crypto
import NIOCore
import Synchronization
import UnderstudyModel
import UnderstudyStore

/// In-memory state of the Files API: resumable upload sessions and which files were polled.
final class FileSessions: Sendable {
    struct Session: Sendable {
        var tenant: String
        var displayName: String?
        var mimeType: String
        var declaredSize: Int64?
        var bytes: [UInt8] = []
    }
    let sessions = Mutex<[String: Session]>([:])
    let counters = Mutex<[String: Int]>([:])
    /// Files already fetched once (their next GET sees them ACTIVE).
    let polled = Mutex<Set<String>>([])

    func next(_ tenant: String) -> Int {
        counters.withLock { c in
            c[tenant, default: 0] += 1
            return c[tenant]!
        }
    }
}

/// The Files API: resumable uploads, and files per API key with their lifecycle (PROCESSING, then
/// ACTIVE once polled or after `fileProcessingSeconds` of the key's clock; gone after
/// `fileRetentionSeconds`), stored in SQLite.
extension Engine {
    typealias Session = FileSessions.Session
    var engine: Engine { self }
    func next(_ tenant: String) -> Int { fileSessions.next(tenant) }

    /// Starts a resumable upload; returns the session id for the upload URL.
    public func startFileUpload(tenantKey: String, displayName: String?, mimeType: String?, declaredSize: Int64?) async throws(APIError) -> String {
        guard let mimeType, !mimeType.isEmpty else {
            throw .invalidArgument("The upload needs a mime type: send X-Goog-Upload-Header-Content-Type or file.mime_type.", field: "file.mime_type")
        }
        _ = try await engine.tenant(tenantKey)
        let id = engine.identity.token(24, "upload", tenantKey, String(next(tenantKey)))
        fileSessions.sessions.withLock { $0[id] = Session(tenant: tenantKey, displayName: displayName, mimeType: mimeType, declaredSize: declaredSize) }
        return id
    }

    /// Appends a chunk at `offset`; with `finalize`, stores the file and returns it.
    public func uploadFileChunk(session id: String, offset: Int64, chunk: [UInt8], finalize: Bool) async throws(APIError) -> FileRecord? {
        let session: Session = try fileSessions.sessions.withLock { s throws(APIError) -> Session in
            guard var session = s[id] else {
                throw APIError.notFound("Upload session '\(id)' is unknown or already finished.", field: "upload_id")
            }
            guard offset == Int64(session.bytes.count) else {
                throw APIError.invalidArgument("X-Goog-Upload-Offset is \(offset), but \(session.bytes.count) bytes were received so far.", field: "X-Goog-Upload-Offset")
            }
            session.bytes += chunk
            s[id] = finalize ? nil : session
            return session
        }
        guard finalize else { return nil }
        if let declared = session.declaredSize, declared != Int64(session.bytes.count) {
            throw .invalidArgument("The upload announced \(declared) bytes but sent \(session.bytes.count).", field: "X-Goog-Upload-Header-Content-Length")
        }
        let tenant = try await engine.tenant(session.tenant)
        let now = engine.nowMillis(tenant)
        let name = "files/" + engine.identity.shortID(12, session.tenant, "file", id)
        let digest = Base64.encode(Array(SHA256.hash(data: session.bytes)))
        let record = FileRecord(
            tenant: session.tenant, name: name, displayName: session.displayName, mimeType: session.mimeType,
            sizeBytes: Int64(session.bytes.count), createdMillis: now,
            activeAtMillis: now + engine.configuration.fileProcessingSeconds * 1000,
            expiresAtMillis: now + engine.configuration.fileRetentionSeconds * 1000, sha256: digest, data: session.bytes)
        do { try await engine.store.saveFile(record) } catch { throw engine.storeFailure(error) }
        return record
    }

    /// A file of the key, or 404; expired files are purged.
    public func file(_ name: String, tenantKey: String, countsAsPoll: Bool = true) async throws(APIError) -> (FileRecord, active: Bool) {
        let tenant = try await engine.tenant(tenantKey)
        let found: FileRecord?
        do { found = try await engine.store.loadFile(tenant: tenantKey, name: name) } catch { throw engine.storeFailure(error) }
        let now = engine.nowMillis(tenant)
        guard let file = found else { throw APIError.permissionDenied("You do not have permission to access the File \(name) or it may not exist.") }
        if now >= file.expiresAtMillis {
            _ = try? await engine.store.deleteFile(tenant: tenantKey, name: name)
            throw APIError.permissionDenied("You do not have permission to access the File \(name) or it may not exist.")
        }
        let key = tenantKey + "|" + name
        let seenBefore = fileSessions.polled.withLock { p -> Bool in
            let seen = p.contains(key)
            if countsAsPoll { p.insert(key) }
            return seen
        }
        return (file, seenBefore || now >= file.activeAtMillis)
    }

    public func listFiles(tenantKey: String) async throws(APIError) -> [(FileRecord, active: Bool)] {
        let tenant = try await engine.tenant(tenantKey)
        let now = engine.nowMillis(tenant)
        let files: [FileRecord]
        do {
            try await engine.store.purgeExpiredFiles(tenant: tenantKey, nowMillis: now)
            files = try await engine.store.listFiles(tenant: tenantKey)
        } catch { throw engine.storeFailure(error) }
        let seen = fileSessions.polled.withLock { $0 }
        return files.map { ($0, seen.contains(tenantKey + "|" + $0.name) || now >= $0.activeAtMillis) }
    }

    public func deleteFile(_ name: String, tenantKey: String) async throws(APIError) {
        _ = try await file(name, tenantKey: tenantKey, countsAsPoll: false)
        do { try await engine.store.deleteFile(tenant: tenantKey, name: name) } catch { throw engine.storeFailure(error) }
    }

    /// The Files API files a request's media blocks point at; unknown or expired ones are refused with
    /// the field named, as are files still PROCESSING.
    func referencedFiles(_ request: CreateRequest, tenant: Tenant) async throws(APIError) -> [String: FileFacts] {
        var facts: [String: FileFacts] = [:]
        for (i, turn) in request.input.enumerated() {
            for (j, block) in turn.content.enumerated() where block.isMedia {
                guard let uri = block.uri else { continue }
                guard Self.isFilesAPIURI(uri), let name = Self.fileName(inURI: uri) else {
                    // Local stand-ins for remote media are fetched to learn their size and type.
                    if Self.isLoopbackURL(uri), let fetched = await Self.fetchLoopback(uri) { facts[uri] = fetched }
                    continue
                }
                let field = HistoryRules.path(form: request.inputForm, turn: i, block: j) + ".uri"
                let found: (FileRecord, active: Bool)
                do {
                    found = try await file(name, tenantKey: tenant.key, countsAsPoll: false)
                } catch {
                    var e = error
                    e.field = field
                    e.message += " (referenced at '\(field)')"
                    throw e
                }
                guard found.active else {
                    throw .failedPrecondition("The file \(name) referenced at '\(field)' is not in an ACTIVE state yet; poll files.get until it is.", field: field)
                }
                facts[uri] = FileFacts(name: name, mimeType: found.0.mimeType, sizeBytes: found.0.sizeBytes)
            }
        }
        return facts
    }

    static func isLoopbackURL(_ uri: String) -> Bool {
        ["http://127.0.0.1:", "http://localhost:", "http://127.0.0.1/", "http://localhost/"].contains { uri.hasPrefix($0) }
    }

    /// GETs a loopback URL (2 s, 20 MiB at most); nil when it cannot be read.
    static func fetchLoopback(_ uri: String) async -> FileFacts? {
        var request = HTTPClientRequest(url: uri)
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
            (200..<300).contains(response.status.code),
            let body = try? await response.body.collect(upTo: 20 << 20)
        else { return nil }
        let type = response.headers.first(name: "Content-Type")?.split(separator: ";").first.map(String.init) ?? "application/octet-stream"
        return FileFacts(name: uri, mimeType: type, sizeBytes: Int64(body.readableBytes))
    }

    /// Whether a content URI names a Files API file (not just any URL with "/files/" in it).
    public static func isFilesAPIURI(_ uri: String) -> Bool {
        uri.hasPrefix("files/") || uri.contains("/v1beta/files/") || uri.contains("/v1alpha/files/")
    }

    /// The Files API name in a content URI (`…/v1beta/files/abc` or `files/abc` → `files/abc`).
    public static func fileName(inURI uri: String) -> String? {
        if uri.hasPrefix("files/") { return uri }
        guard let range = uri.range(of: "/files/") else { return nil }
        let id = uri[range.upperBound...].prefix { $0 != "?" && $0 != "/" && $0 != ":" }
        return id.isEmpty ? nil : "files/" + id
    }
}
