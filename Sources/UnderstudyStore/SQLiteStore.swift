import Foundation
import GRDB
import Synchronization
import UnderstudyModel

/// Per-tenant state that must survive a restart so that ids never repeat and the clock never runs back.
public struct TenantRecord: Sendable, Hashable {
    public var key: String
    /// Sequence number the next interaction will get.
    public var nextSequence: Int64
    /// The simulated clock, milliseconds since 1970.
    public var clockMillis: Int64
    public var tier: String
    public init(key: String, nextSequence: Int64, clockMillis: Int64, tier: String) {
        self.key = key
        self.nextSequence = nextSequence
        self.clockMillis = clockMillis
        self.tier = tier
    }
}

/// A file uploaded through the Files API.
public struct FileRecord: Sendable, Hashable {
    public var tenant: String
    public var name: String
    public var displayName: String?
    public var mimeType: String
    public var sizeBytes: Int64
    public var createdMillis: Int64
    public var activeAtMillis: Int64
    public var expiresAtMillis: Int64
    public var sha256: String
    public var data: [UInt8]
    public init(tenant: String, name: String, displayName: String?, mimeType: String, sizeBytes: Int64, createdMillis: Int64, activeAtMillis: Int64, expiresAtMillis: Int64, sha256: String, data: [UInt8]) {
        self.tenant = tenant
        self.name = name
        self.displayName = displayName
        self.mimeType = mimeType
        self.sizeBytes = sizeBytes
        self.createdMillis = createdMillis
        self.activeAtMillis = activeAtMillis
        self.expiresAtMillis = expiresAtMillis
        self.sha256 = sha256
        self.data = data
    }
}

/// Why the store refused; wraps SQLite's own error with what was being done.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Durable storage of interactions, tenants and files in one SQLite database (WAL mode).
///
/// Writes are group-committed: concurrent saves queue up and are written in one transaction, and each
/// caller resumes only after its row is committed, so an acknowledged interaction survives a restart while
/// 16 clients still share one fsync-free commit. Reads are served from a write-through cache.
public final class SQLiteStore: Sendable {
    public let path: String
    private let writer: any DatabaseWriter
    private let batcher: WriteBatcher
    private let cache = Mutex(RecordCache(capacity: 50_000))

    /// Opens (creating if needed) the database at `path`; `:memory:` keeps everything in memory only.
    public init(path: String) throws {
        self.path = path
        do {
            var config = Configuration()
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.execute(sql: "PRAGMA foreign_keys = ON")
                // Fewer, larger checkpoints: each one syncs the file.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
            }
            if path == ":memory:" {
                writer = try DatabaseQueue(configuration: config)
            } else {
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                writer = try DatabasePool(path: path, configuration: config)
            }
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(message: "Cannot open the database at \(path): \(error)")
        }
        batcher = WriteBatcher(writer: writer)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    -- A rowid table: bodies are kilobytes, and WITHOUT ROWID made inserts twice as slow.
                    CREATE TABLE interaction (
                        tenant TEXT NOT NULL,
                        id TEXT NOT NULL,
                        sequence INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        previous_id TEXT,
                        created INTEGER NOT NULL,
                        updated INTEGER NOT NULL,
                        expires_at INTEGER,
                        revision INTEGER NOT NULL,
                        body TEXT NOT NULL,
                        UNIQUE (tenant, id)
                    );
                    CREATE INDEX interaction_expiry ON interaction(expires_at) WHERE expires_at IS NOT NULL;
                    CREATE TABLE tenant (
                        key TEXT PRIMARY KEY NOT NULL,
                        next_sequence INTEGER NOT NULL,
                        clock_ms INTEGER NOT NULL,
                        tier TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE file (
                        tenant TEXT NOT NULL,
                        name TEXT NOT NULL,
                        display_name TEXT,
                        mime_type TEXT NOT NULL,
                        size_bytes INTEGER NOT NULL,
                        created_ms INTEGER NOT NULL,
                        active_at_ms INTEGER NOT NULL,
                        expires_at_ms INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        data BLOB NOT NULL,
                        PRIMARY KEY (tenant, name)
                    ) WITHOUT ROWID;
                    """)
        }
        return m
    }

    // MARK: Interactions

    /// Inserts a record, or replaces the stored one if this one has a higher revision; returns once
    /// committed. Saving an older revision is a no-op, so concurrent updates cannot go backwards.
    public func save(_ record: InteractionRecord, tenantState: TenantRecord? = nil) async throws {
        cache.withLock { $0.put(record) }
        let body = record.storageJSON.jsonString
        try await batcher.submit { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO interaction (tenant, id, sequence, status, previous_id, created, updated, expires_at, revision, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (tenant, id) DO UPDATE SET
                        status = excluded.status, updated = excluded.updated, expires_at = excluded.expires_at,
                        revision = excluded.revision, body = excluded.body
                    WHERE excluded.revision > interaction.revision
                    """
            ).execute(
                arguments: [
                    record.tenant, record.id, record.sequence, record.status.rawValue, record.previousInteractionID,
                    record.created, record.updated, record.expiresAt, record.revision, body,
                ])
            if let t = tenantState { try Self.writeTenant(t, db) }
        }
    }

    /// Updates a stored record if this one has a higher revision; never inserts (so an interaction
    /// deleted meanwhile stays deleted). Returns once committed.
    public func update(_ record: InteractionRecord) async throws {
        cache.withLock { $0.replaceIfPresent(record) }
        let body = record.storageJSON.jsonString
        try await batcher.submit { db in
            try db.cachedStatement(
                sql: """
                    UPDATE interaction SET status = ?, updated = ?, expires_at = ?, revision = ?, body = ?
                    WHERE tenant = ? AND id = ? AND revision < ?
                    """
            ).execute(
                arguments: [record.status.rawValue, record.updated, record.expiresAt, record.revision, body, record.tenant, record.id, record.revision])
        }
    }

    public func load(tenant: String, id: String) async throws -> InteractionRecord? {
        if let hit = cache.withLock({ $0.get(tenant: tenant, id: id) }) { return hit }
        let body: String? = try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM interaction WHERE tenant = ? AND id = ?", arguments: [tenant, id])
        }
        guard let body, let json = try? JSONValue.parse(body), let record = InteractionRecord(storageJSON: json) else { return nil }
        cache.withLock { $0.put(record) }
        return record
    }

    /// Removes a record; returns whether it existed.
    @discardableResult
    public func delete(tenant: String, id: String) async throws -> Bool {
        cache.withLock { $0.remove(tenant: tenant, id: id) }
        return try await batcher.submitReturning { db in
            try db.execute(sql: "DELETE FROM interaction WHERE tenant = ? AND id = ?", arguments: [tenant, id])
            return db.changesCount > 0
        }
    }

    /// Deletes every interaction of `tenant` whose retention ended at or before `now` (seconds).
    @discardableResult
    public func purgeExpired(tenant: String, now: Int64) async throws -> [String] {
        let ids: [String] = try await batcher.submitReturning { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM interaction WHERE tenant = ? AND expires_at IS NOT NULL AND expires_at <= ?",
                arguments: [tenant, now])
            try db.execute(
                sql: "DELETE FROM interaction WHERE tenant = ? AND expires_at IS NOT NULL AND expires_at <= ?",
                arguments: [tenant, now])
            return ids
        }
        cache.withLock { c in ids.forEach { c.remove(tenant: tenant, id: $0) } }
        return ids
    }

    public func interactionCount(tenant: String? = nil) async throws -> Int {
        try await writer.read { db in
            if let tenant {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM interaction WHERE tenant = ?", arguments: [tenant]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM interaction") ?? 0
        }
    }

    /// Ids of a tenant's interactions, oldest first (for the admin API; the public API has no list).
    public func interactionIDs(tenant: String, limit: Int = 1000) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM interaction WHERE tenant = ? ORDER BY sequence LIMIT ?", arguments: [tenant, limit])
        }
    }

    // MARK: Tenants

    public func loadTenant(_ key: String) async throws -> TenantRecord? {
        try await writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tenant WHERE key = ?", arguments: [key]) else { return nil }
            return TenantRecord(key: row["key"], nextSequence: row["next_sequence"], clockMillis: row["clock_ms"], tier: row["tier"])
        }
    }

    /// The highest sequence number and creation time among a tenant's stored interactions: creates do
    /// not rewrite the tenant row, so after a restart ids and the clock continue from here.
    public func highWater(tenant: String) async throws -> (sequence: Int64, created: Int64)? {
        try await writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT MAX(sequence) AS s, MAX(created) AS c FROM interaction WHERE tenant = ?", arguments: [tenant]),
                let seq = row["s"] as Int64?, let created = row["c"] as Int64?
            else { return nil }
            return (seq, created)
        }
    }

    public func saveTenant(_ t: TenantRecord) async throws {
        try await batcher.submit { db in try Self.writeTenant(t, db) }
    }

    static func writeTenant(_ t: TenantRecord, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO tenant (key, next_sequence, clock_ms, tier) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET
                    next_sequence = max(tenant.next_sequence, excluded.next_sequence),
                    clock_ms = excluded.clock_ms, tier = excluded.tier
                """
        ).execute(
            arguments: [t.key, t.nextSequence, t.clockMillis, t.tier])
    }

    /// Removes everything a tenant has, or everything of every tenant when `tenant` is nil.
    public func reset(tenant: String?) async throws {
        cache.withLock { $0.removeAll(tenant: tenant) }
        try await batcher.submit { db in
            if let tenant {
                for table in ["interaction", "file"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE tenant = ?", arguments: [tenant])
                }
                try db.execute(sql: "DELETE FROM tenant WHERE key = ?", arguments: [tenant])
            } else {
                for table in ["interaction", "file", "tenant"] { try db.execute(sql: "DELETE FROM \(table)") }
            }
        }
    }

    // MARK: Files

    public func saveFile(_ f: FileRecord) async throws {
        try await batcher.submit { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO file (tenant, name, display_name, mime_type, size_bytes, created_ms, active_at_ms, expires_at_ms, sha256, data)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [f.tenant, f.name, f.displayName, f.mimeType, f.sizeBytes, f.createdMillis, f.activeAtMillis, f.expiresAtMillis, f.sha256, Data(f.data)])
        }
    }

    public func loadFile(tenant: String, name: String) async throws -> FileRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM file WHERE tenant = ? AND name = ?", arguments: [tenant, name]).map(Self.file(from:))
        }
    }

    public func listFiles(tenant: String) async throws -> [FileRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM file WHERE tenant = ? ORDER BY created_ms DESC, name", arguments: [tenant]).map(Self.file(from:))
        }
    }

    @discardableResult
    public func deleteFile(tenant: String, name: String) async throws -> Bool {
        try await batcher.submitReturning { db in
            try db.execute(sql: "DELETE FROM file WHERE tenant = ? AND name = ?", arguments: [tenant, name])
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func purgeExpiredFiles(tenant: String, nowMillis: Int64) async throws -> Int {
        try await batcher.submitReturning { db in
            try db.execute(sql: "DELETE FROM file WHERE tenant = ? AND expires_at_ms <= ?", arguments: [tenant, nowMillis])
            return db.changesCount
        }
    }

    static func file(from row: Row) -> FileRecord {
        FileRecord(
            tenant: row["tenant"], name: row["name"], displayName: row["display_name"], mimeType: row["mime_type"],
            sizeBytes: row["size_bytes"], createdMillis: row["created_ms"], activeAtMillis: row["active_at_ms"],
            expiresAtMillis: row["expires_at_ms"], sha256: row["sha256"], data: [UInt8](row["data"] as Data))
    }

    /// SQLite's `PRAGMA journal_mode`, for start-up logs and tests.
    public func journalMode() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?" }
    }
}

/// A bounded write-through cache of records, evicting the oldest insertions first.
struct RecordCache {
    struct Key: Hashable {
        var tenant: String
        var id: String
    }
    let capacity: Int
    var entries: [Key: InteractionRecord] = [:]
    var order: [Key] = []
    var orderStart = 0

    init(capacity: Int) {
        self.capacity = capacity
        entries.reserveCapacity(capacity + 1)
    }

    func get(tenant: String, id: String) -> InteractionRecord? { entries[Key(tenant: tenant, id: id)] }

    mutating func put(_ r: InteractionRecord) {
        let key = Key(tenant: r.tenant, id: r.id)
        // Like the database's upsert, only a strictly newer revision replaces the cached one.
        if let existing = entries[key], existing.revision >= r.revision { return }
        if entries.updateValue(r, forKey: key) == nil { order.append(key) }
        while entries.count > capacity, orderStart < order.count {
            entries[order[orderStart]] = nil
            orderStart += 1
        }
        if orderStart > 4096, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }

    mutating func remove(tenant: String, id: String) { entries[Key(tenant: tenant, id: id)] = nil }

    mutating func replaceIfPresent(_ r: InteractionRecord) {
        let key = Key(tenant: r.tenant, id: r.id)
        if let existing = entries[key], existing.revision < r.revision { entries[key] = r }
    }

    mutating func removeAll(tenant: String?) {
        if let tenant {
            entries = entries.filter { $0.key.tenant != tenant }
        } else {
            entries = [:]
            order = []
            orderStart = 0
        }
    }
}

/// Runs queued database mutations in shared transactions (group commit).
final class WriteBatcher: Sendable {
    typealias Job = @Sendable (Database) throws -> Void
    struct Pending {
        var jobs: [(Job, CheckedContinuation<Void, any Error>)] = []
        var flushing = false
    }
    private let writer: any DatabaseWriter
    private let state = Mutex(Pending())

    init(writer: any DatabaseWriter) { self.writer = writer }

    func submit(_ job: @escaping Job) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startFlusher = state.withLock { s -> Bool in
                s.jobs.append((job, continuation))
                if s.flushing { return false }
                s.flushing = true
                return true
            }
            if startFlusher {
                Task { await self.flush() }
            }
        }
    }

    func submitReturning<T: Sendable>(_ job: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = ResultBox<T>()
        try await submit { db in
            let result = try job(db)
            box.value.withLock { $0 = .some(result) }
        }
        guard let value = box.value.withLock({ $0 }) else { throw StoreError(message: "write produced no result") }
        return value
    }

    private func flush() async {
        while true {
            let batch = state.withLock { s -> [(Job, CheckedContinuation<Void, any Error>)] in
                let b = s.jobs
                s.jobs = []
                if b.isEmpty { s.flushing = false }
                return b
            }
            if batch.isEmpty { return }
            // The batch runs in one transaction. If a job fails, the transaction is rolled back and the
            // jobs run again one transaction each, so one failing job fails alone.
            var outcomes: [(any Error)?]
            do {
                try await writer.write { db in
                    for (job, _) in batch { try job(db) }
                }
                outcomes = Array(repeating: nil, count: batch.count)
            } catch {
                outcomes = []
                for (job, _) in batch {
                    do {
                        try await writer.write { db in try job(db) }
                        outcomes.append(nil)
                    } catch {
                        outcomes.append(error)
                    }
                }
            }
            for (i, (_, c)) in batch.enumerated() {
                if let e = outcomes[i] { c.resume(throwing: e) } else { c.resume() }
            }
        }
    }
}

final class ResultBox<T: Sendable>: Sendable {
    let value = Mutex<T?>(nil)
}
