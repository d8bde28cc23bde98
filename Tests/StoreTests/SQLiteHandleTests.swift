import ConnectorKit
import Foundation
@testable import Store
import TestSupport
import Testing

/// The SQLite backend drives SQLite's C API itself, keeps its prepared statements, and waits
/// out another process's lock asleep. Each guarantee here is one the store leans on.
@Suite struct SQLiteHandleTests {
    @Test func valuesComeBackAsTheyWentIn() async throws {
        try await withSQLiteBackend { backend, _ in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT, blob BLOB, number INTEGER)", [])
            let cases: [(String?, [UInt8]?, Int64?)] = [
                ("", [], 0),
                ("nul\u{0}inside", [0, 1, 255], Int64.max),
                ("é e\u{301} 🧾", [7], Int64.min),
                (nil, nil, nil),
            ]
            for (index, (text, blob, number)) in cases.enumerated() {
                try await backend.query("INSERT INTO t (id, text, blob, number) VALUES ($1, $2, $3, $4)",
                                        [.int(Int64(index)), text.map { .text($0) } ?? .null, blob.map { .blob($0) } ?? .null, number.map { .int($0) } ?? .null])
            }
            let rows = try await backend.query("SELECT id, text, blob, number, typeof(blob) AS blob_type FROM t ORDER BY id", [])
            #expect(rows.count == cases.count)
            for (row, (text, blob, number)) in zip(rows, cases) {
                #expect(row.values["text"] == (text.map { .text($0) } ?? .null))
                #expect(row.values["blob"] == (blob.map { .blob($0) } ?? .null))
                #expect(row.values["number"] == (number.map { .int($0) } ?? .null))
            }
            // An empty string and an empty blob are values, not NULL.
            #expect(rows[0].values["blob_type"] == .text("blob"))
        }
    }

    @Test func aTextOfTwoStatementsIsRefusedWhole() async throws {
        try await withSQLiteBackend { backend, _ in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY);", [])
            await #expect(throws: SQLiteFailure.self) {
                try await backend.query("INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2)", [])
            }
            #expect(try await backend.query("SELECT COUNT(*) AS n FROM t", [])[0].values["n"] == .int(0), "nothing of the refused text ran")
        }
    }

    @Test func aUniqueViolationIsRecognisedAndTheStatementStaysUsable() async throws {
        try await withSQLiteBackend { backend, _ in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY)", [])
            try await backend.query("INSERT INTO t (id) VALUES ($1)", [.int(1)])
            do {
                try await backend.query("INSERT INTO t (id) VALUES ($1)", [.int(1)])
                Issue.record("a second row with the same key was accepted")
            } catch {
                #expect(SQLStore.isUniqueViolation(error), "\(error)")
            }
            // The kept statement was reset after its failure and runs again.
            try await backend.query("INSERT INTO t (id) VALUES ($1)", [.int(2)])
            #expect(try await backend.query("SELECT COUNT(*) AS n FROM t", [])[0].values["n"] == .int(2))
        }
    }

    @Test func moreStatementTextsThanTheCacheHoldsStillRun() async throws {
        try await withSQLiteBackend { backend, _ in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY)", [])
            for id in 0..<(SQLiteHandle.cachedStatementLimit + 50) {
                try await backend.query("INSERT INTO t (id) VALUES (\(id))", [])
            }
            let rows = try await backend.query("SELECT COUNT(*) AS n FROM t", [])
            #expect(rows[0].values["n"] == .int(Int64(SQLiteHandle.cachedStatementLimit + 50)))
        }
    }

    /// A batch INSERT of hundreds of rows runs but does not join the cache (only the last long
    /// text is kept, beside it); a short text joins it. Both long texts run right, in turn.
    @Test func aLongBatchTextIsNotKeptInTheCache() async throws {
        try await withSQLiteBackend { _, path in
            let handle = try SQLiteHandle.open(path: path)
            defer { handle.close() }
            try handle.run("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)", [])
            let rows = 600
            let values = (0..<rows).map { "($\(2 * $0 + 1), $\(2 * $0 + 2))" }.joined(separator: ", ")
            let batch = "INSERT INTO t (id, name) VALUES " + values
            #expect(batch.utf8.count > SQLiteHandle.cachedTextLimit)
            let before = handle.cachedStatementCount
            try handle.run(batch, (0..<rows).flatMap { [SQLValue.int(Int64($0)), .text("row \($0)")] })
            #expect(handle.cachedStatementCount == before, "the long text was kept")
            #expect(try handle.run("SELECT COUNT(*) AS n FROM t", [])[0].values["n"] == .int(Int64(rows)))
            #expect(handle.cachedStatementCount == before + 1, "the short text was kept")
            // Another long text replaces it, then the first comes back: each runs right.
            try handle.run("DELETE FROM t", [])
            let other = "INSERT INTO t (id, name) VALUES " + (0..<rows).map { "($\(2 * $0 + 1), $\(2 * $0 + 2) || 'x')" }.joined(separator: ", ")
            try handle.run(other, (0..<rows).flatMap { [SQLValue.int(Int64($0)), .text("row \($0)")] })
            try handle.run("DELETE FROM t", [])
            try handle.run(batch, (0..<rows).flatMap { [SQLValue.int(Int64($0)), .text("row \($0)")] })
            try handle.run(batch.replacingOccurrences(of: "INSERT", with: "INSERT OR REPLACE"), (0..<rows).flatMap { [SQLValue.int(Int64($0)), .text("again \($0)")] })
            #expect(try handle.run("SELECT COUNT(*) AS n FROM t WHERE name LIKE 'again %'", [])[0].values["n"] == .int(Int64(rows)))
            #expect(handle.cachedStatementCount == before + 3, "the three short texts, none of the long ones")
        }
    }

    /// A transaction left open outside `transaction` (a BEGIN sent as a plain query, or a
    /// ROLLBACK that failed) does not make every later transaction fail: it is rolled back first.
    @Test func aTransactionLeftOpenIsRolledBackBeforeTheNextOne() async throws {
        try await withSQLiteBackend { backend, _ in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY)", [])
            try await backend.query("BEGIN", [])
            try await backend.query("INSERT INTO t (id) VALUES (1)", [])
            _ = try await backend.transaction { db in try await db.query("INSERT INTO t (id) VALUES (2)", []) }
            let ids = try await backend.query("SELECT id FROM t ORDER BY id", []).map { $0.values["id"] }
            #expect(ids == [.int(2)], "the stray transaction's row was rolled back, the new one committed: \(ids)")
        }
    }

    /// A second connection to the file, standing in for another process, with the write lock
    /// taken. It has its own patience, as the CLI beside a server has.
    private static func otherProcessHoldingTheWriteLock(path: String) throws -> SQLiteHandle {
        let other = try SQLiteHandle.open(path: path)
        try other.run("PRAGMA busy_timeout=5000", [])
        try other.run("BEGIN IMMEDIATE", [])
        return other
    }

    /// Another process holding the write lock past SQLite's short busy timeout: the statement
    /// and the transaction wait for it, asleep, and then run.
    @Test func anotherProcesssWriteLockIsWaitedOut() async throws {
        try await withSQLiteBackend { backend, path in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY)", [])
            let other = try Self.otherProcessHoldingTheWriteLock(path: path)
            defer { other.close() }
            try other.run("INSERT INTO t (id) VALUES (1)", [])
            let released = Task {
                try await Task.sleep(for: .milliseconds(300))
                try other.run("COMMIT", [])
            }
            let started = ContinuousClock.now
            try await backend.query("INSERT INTO t (id) VALUES ($1)", [.int(2)])
            try await released.value
            #expect(ContinuousClock.now - started >= .milliseconds(250), "the insert waited for the other writer")
            try other.run("BEGIN IMMEDIATE", [])
            let releasedAgain = Task {
                try await Task.sleep(for: .milliseconds(200))
                try other.run("COMMIT", [])
            }
            _ = try await backend.transaction { db in try await db.query("INSERT INTO t (id) VALUES ($1)", [.int(3)]) }
            try await releasedAgain.value
            #expect(try await backend.query("SELECT COUNT(*) AS n FROM t", [])[0].values["n"] == .int(3))
        }
    }

    /// A cancelled task that meets another process's lock still runs its statement once the
    /// lock is free: a job cancelled at shutdown stores the outcome of the work it did.
    @Test func aCancelledStatementStillWaitsOutAnotherProcesssLock() async throws {
        try await withSQLiteBackend { backend, path in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY)", [])
            let other = try Self.otherProcessHoldingTheWriteLock(path: path)
            defer { other.close() }
            let insert = Task { try await backend.query("INSERT INTO t (id) VALUES ($1)", [.int(1)]) }
            try await Task.sleep(for: .milliseconds(50))
            insert.cancel()
            try await Task.sleep(for: .milliseconds(200))
            try other.run("COMMIT", [])
            _ = try await insert.value
            #expect(try await backend.query("SELECT COUNT(*) AS n FROM t", [])[0].values["n"] == .int(1))
        }
    }

    @Test func aDatabaseThatCannotUseWALIsRefusedWithTheReason() async throws {
        do {
            let backend = try await SQLiteBackend.open(path: ":memory:")
            await backend.close()
            Issue.record("an in-memory database (journal mode \"memory\") was accepted")
        } catch let error as StoreError {
            #expect("\(error)".contains("WAL"), "\(error)")
        }
    }

    @Test func aClosedDatabaseRefusesWorkInsteadOfTouchingFreedMemory() async throws {
        try await withSQLiteBackend { backend, _ in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY)", [])
            await backend.close()
            await #expect(throws: SQLiteFailure.self) { try await backend.query("SELECT COUNT(*) FROM t", []) }
            await #expect(throws: SQLiteFailure.self) { _ = try await backend.transaction { db in try await db.query("SELECT 1", []) } }
        }
    }

    /// The claim runs for every job: SQLite must not prepare it again each time. A bound LIMIT
    /// in its subquery made it do so (a fifth of the queue's time per job).
    @Test func theClaimIsPreparedOnce() async throws {
        try await TestDatabase.sqlite.withStore { store in
            guard let sqlite = store.backend as? SQLiteBackend else {
                Issue.record("the SQLite test store is not on SQLiteBackend")
                return
            }
            for number in 0..<20 {
                try await store.enqueue(JobRequest(kind: "bench.noop", coalesceKey: "k\(number)"))
            }
            var claimed = 0
            for _ in 0..<25 {
                let claims = try await store.claimJobs(worker: "w", kinds: ["bench.noop"], limit: 1, lease: .seconds(30), now: Date())
                for claim in claims {
                    try await store.completeJob(claim, writes: [], audit: AuditEntry(action: "bench.noop", outcome: .succeeded), now: Date())
                    claimed += 1
                }
            }
            #expect(claimed == 20)
            let reprepared = try await sqlite.reprepareCounts().filter { $0.key.contains("UPDATE jobs SET state = 'running'") }
            #expect(reprepared.isEmpty, "the claim was prepared again: \(reprepared.values)")
        }
    }
}
