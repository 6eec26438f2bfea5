import Foundation
import Testing
import UnderstudyModel
import UnderstudyStore

/// A fresh directory under the system's temp directory; callers remove it with `defer { dir.remove() }`.
struct TempDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("understudy-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

func sampleRecord(_ id: String, tenant: String = "t1", sequence: Int64 = 1, status: InteractionStatus = .completed, revision: Int64 = 1, expiresAt: Int64? = nil) -> InteractionRecord {
    var r = InteractionRecord(
        id: id, tenant: tenant, sequence: sequence, target: .model("gemini-2.5-flash"), status: status, created: 1_765_792_800,
        input: [Turn(role: .user, content: [.text("question \(id)")])], outputs: [.text("answer \(id) ✓")])
    r.revision = revision
    r.expiresAt = expiresAt
    return r
}

@Suite("SQLiteStore")
struct StoreTests {
    @Test func saveLoadDelete() async throws {
        let store = try SQLiteStore(path: ":memory:")
        let r = sampleRecord("v1_a")
        try await store.save(r)
        #expect(try await store.load(tenant: "t1", id: "v1_a") == r)
        #expect(try await store.load(tenant: "t2", id: "v1_a") == nil)
        #expect(try await store.load(tenant: "t1", id: "v1_b") == nil)
        #expect(try await store.interactionCount(tenant: "t1") == 1)
        #expect(try await store.delete(tenant: "t1", id: "v1_a"))
        #expect(try await store.load(tenant: "t1", id: "v1_a") == nil)
        #expect(try await store.delete(tenant: "t1", id: "v1_a") == false)
        #expect(try await store.interactionCount() == 0)
    }

    @Test func sameIdInTwoTenantsAreTwoRecords() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await store.save(sampleRecord("v1_same", tenant: "a"))
        var other = sampleRecord("v1_same", tenant: "b")
        other.outputs = [.text("b's answer")]
        try await store.save(other)
        #expect(try await store.load(tenant: "a", id: "v1_same")?.outputs == [.text("answer v1_same ✓")])
        #expect(try await store.load(tenant: "b", id: "v1_same")?.outputs == [.text("b's answer")])
        try await store.delete(tenant: "a", id: "v1_same")
        #expect(try await store.load(tenant: "b", id: "v1_same") != nil)
    }

    @Test func newerRevisionReplacesOlderNeverTheReverse() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("rev.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try await store.save(sampleRecord("v1_r", status: .inProgress, revision: 1))
            try await store.save(sampleRecord("v1_r", status: .completed, revision: 3))
            try await store.save(sampleRecord("v1_r", status: .cancelled, revision: 2))
            #expect(try await store.load(tenant: "t1", id: "v1_r")?.status == .completed)
            #expect(try await store.load(tenant: "t1", id: "v1_r")?.revision == 3)
        }
        // The database itself (not only the cache) kept revision 3.
        let reopened = try SQLiteStore(path: path)
        let r = try await reopened.load(tenant: "t1", id: "v1_r")
        #expect(r?.status == .completed)
        #expect(r?.revision == 3)
    }

    @Test func cacheAndDatabaseAgreeOnAnEqualRevision() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("eq.sqlite")
        let live: InteractionRecord?
        do {
            let store = try SQLiteStore(path: path)
            try await store.save(sampleRecord("v1_e", status: .inProgress, revision: 2))
            try await store.save(sampleRecord("v1_e", status: .failed, revision: 2))
            live = try await store.load(tenant: "t1", id: "v1_e")
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.load(tenant: "t1", id: "v1_e") == live)
    }

    @Test func recordsTenantsAndFilesSurviveReopeningTheFile() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("nested/dir/understudy.sqlite")
        let records = (1...25).map { sampleRecord("v1_\($0)", sequence: Int64($0)) }
        let tenant = TenantRecord(key: "t1", nextSequence: 26, clockMillis: 1_765_792_825_000, tier: "free")
        let file = FileRecord(
            tenant: "t1", name: "files/abc", displayName: "a.bin", mimeType: "application/octet-stream", sizeBytes: 256,
            createdMillis: 1, activeAtMillis: 2, expiresAtMillis: 3_000_000_000_000, sha256: "00", data: (0...255).map { UInt8($0) })
        do {
            let store = try SQLiteStore(path: path)
            for r in records { try await store.save(r) }
            try await store.saveTenant(tenant)
            try await store.saveFile(file)
        }
        let reopened = try SQLiteStore(path: path)
        for r in records {
            #expect(try await reopened.load(tenant: "t1", id: r.id) == r)
        }
        #expect(try await reopened.loadTenant("t1") == tenant)
        #expect(try await reopened.loadFile(tenant: "t1", name: "files/abc") == file)
        #expect(try await reopened.interactionIDs(tenant: "t1", limit: 100) == records.map(\.id))
    }

    @Test func filesUseWALAndMemoryStaysInMemory() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let file = try SQLiteStore(path: dir.path("wal.sqlite"))
        #expect(try await file.journalMode().lowercased() == "wal")
        let memory = try SQLiteStore(path: ":memory:")
        #expect(try await memory.journalMode().lowercased() == "memory")
    }

    @Test func unopenableDatabaseIsAStoreError() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try Data("this is not a database, just text that is long enough to look like a header".utf8).write(to: dir.url.appendingPathComponent("junk.sqlite"))
        #expect(throws: StoreError.self) { try SQLiteStore(path: dir.path("junk.sqlite")) }
    }

    @Test func thousandConcurrentSavesAreAllCommitted() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path("group.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<1000 {
                    group.addTask {
                        try await store.save(sampleRecord("v1_\(i)", tenant: "t\(i % 7)", sequence: Int64(i)))
                    }
                }
                try await group.waitForAll()
            }
            // Every save had returned, so every row is committed.
            #expect(try await store.interactionCount() == 1000)
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.interactionCount() == 1000)
        var total = 0
        for t in 0..<7 { total += try await reopened.interactionIDs(tenant: "t\(t)", limit: 10_000).count }
        #expect(total == 1000)
        #expect(try await reopened.load(tenant: "t5", id: "v1_999") == sampleRecord("v1_999", tenant: "t5", sequence: 999))
    }

    @Test func concurrentSavesInMemory() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<1000 {
                group.addTask { try await store.save(sampleRecord("v1_\(i)", sequence: Int64(i))) }
            }
            try await group.waitForAll()
        }
        #expect(try await store.interactionCount(tenant: "t1") == 1000)
        #expect(try await store.interactionIDs(tenant: "t1", limit: 3) == ["v1_0", "v1_1", "v1_2"])
    }

    @Test func purgeExpiredRemovesOnlyDueRecordsOfThatTenant() async throws {
        let store = try SQLiteStore(path: ":memory:")
        try await store.save(sampleRecord("v1_old", expiresAt: 100))
        try await store.save(sampleRecord("v1_edge", sequence: 2, expiresAt: 150))
        try await store.save(sampleRecord("v1_new", sequence: 3, expiresAt: 200))
        try await store.save(sampleRecord("v1_forever", sequence: 4, expiresAt: nil))
        try await store.save(sampleRecord("v1_other", tenant: "t2", expiresAt: 100))
        let purged = try await store.purgeExpired(tenant: "t1", now: 150)
        #expect(Set(purged) == ["v1_old", "v1_edge"])
        #expect(try await store.load(tenant: "t1", id: "v1_old") == nil)
        #expect(try await store.load(tenant: "t1", id: "v1_edge") == nil)
        #expect(try await store.load(tenant: "t1", id: "v1_new") != nil)
        #expect(try await store.load(tenant: "t1", id: "v1_forever") != nil)
        #expect(try await store.load(tenant: "t2", id: "v1_other") != nil)
        #expect(try await store.interactionCount(tenant: "t1") == 2)
        #expect(try await store.purgeExpired(tenant: "t1", now: 150) == [])
    }

    @Test func tenantsAreSavedAndTheirSequenceNeverRunsBack() async throws {
        let store = try SQLiteStore(path: ":memory:")
        #expect(try await store.loadTenant("k") == nil)
        try await store.saveTenant(TenantRecord(key: "k", nextSequence: 10, clockMillis: 5_000, tier: "paid"))
        try await store.saveTenant(TenantRecord(key: "k", nextSequence: 4, clockMillis: 9_000, tier: "free"))
        #expect(try await store.loadTenant("k") == TenantRecord(key: "k", nextSequence: 10, clockMillis: 9_000, tier: "free"))
        // Saved together with an interaction, in the same transaction.
        try await store.save(sampleRecord("v1_x", tenant: "k"), tenantState: TenantRecord(key: "k", nextSequence: 11, clockMillis: 10_000, tier: "free"))
        #expect(try await store.loadTenant("k")?.nextSequence == 11)
        #expect(try await store.loadTenant("other") == nil)
    }

    @Test func filesTable() async throws {
        let store = try SQLiteStore(path: ":memory:")
        func file(_ name: String, tenant: String = "t1", created: Int64, expires: Int64) -> FileRecord {
            FileRecord(tenant: tenant, name: name, displayName: nil, mimeType: "image/png", sizeBytes: 3, createdMillis: created,
                       activeAtMillis: created + 2000, expiresAtMillis: expires, sha256: "abc", data: [1, 2, 3])
        }
        try await store.saveFile(file("files/a", created: 1, expires: 1000))
        try await store.saveFile(file("files/b", created: 2, expires: 2000))
        try await store.saveFile(file("files/c", tenant: "t2", created: 3, expires: 10))
        #expect(try await store.listFiles(tenant: "t1").map(\.name) == ["files/b", "files/a"])
        #expect(try await store.loadFile(tenant: "t1", name: "files/a")?.data == [1, 2, 3])
        #expect(try await store.loadFile(tenant: "t2", name: "files/a") == nil)
        // Replacing a file by name.
        var replaced = file("files/a", created: 1, expires: 1000)
        replaced.displayName = "renamed"
        try await store.saveFile(replaced)
        #expect(try await store.loadFile(tenant: "t1", name: "files/a")?.displayName == "renamed")
        #expect(try await store.purgeExpiredFiles(tenant: "t1", nowMillis: 1000) == 1)
        #expect(try await store.listFiles(tenant: "t1").map(\.name) == ["files/b"])
        #expect(try await store.listFiles(tenant: "t2").count == 1)
        #expect(try await store.deleteFile(tenant: "t1", name: "files/b"))
        #expect(try await store.deleteFile(tenant: "t1", name: "files/b") == false)
        #expect(try await store.listFiles(tenant: "t1").isEmpty)
    }

    @Test func resetOneTenantOrAll() async throws {
        let store = try SQLiteStore(path: ":memory:")
        for t in ["a", "b"] {
            try await store.save(sampleRecord("v1_1", tenant: t))
            try await store.saveTenant(TenantRecord(key: t, nextSequence: 2, clockMillis: 0, tier: "paid"))
        }
        try await store.reset(tenant: "a")
        #expect(try await store.load(tenant: "a", id: "v1_1") == nil)
        #expect(try await store.loadTenant("a") == nil)
        #expect(try await store.load(tenant: "b", id: "v1_1") != nil)
        try await store.reset(tenant: nil)
        #expect(try await store.load(tenant: "b", id: "v1_1") == nil)
        #expect(try await store.interactionCount() == 0)
    }
}
