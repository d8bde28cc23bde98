import Foundation
@testable import Store
import Testing

/// The WAL is copied back by the checkpoint thread, not inside commits, and stays bounded
/// under a steady stream of commits.
@Suite struct WALCheckpointerTests {
    @Test func theThreadCopiesTheWALWhileCommitsGoOn() async throws {
        try await withSQLiteBackend { backend, path in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)", [])
            let body = String(repeating: "x", count: 3_000)
            // Each row fills most of a page: 1,500 commits pass the thread's 1,000 pages.
            for id in 0..<1_500 { try await backend.query("INSERT INTO t (id, body) VALUES ($1, $2)", [.int(Int64(id)), .text(body)]) }
            // Below `inlineFrames`, so no commit checkpointed: only the thread copies pages back.
            for _ in 0..<100 where (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) < 1_000 * 3_000 {
                try await Task.sleep(for: .milliseconds(20))
            }
            let grown = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            #expect(grown > 1_000 * 3_000, "the database file holds the rows: the thread copied them back (\(grown) bytes)")
            let rows = try await backend.query("SELECT COUNT(*) AS n FROM t", [])
            #expect(rows.first?.values["n"] == .int(1_500))
        }
    }

    @Test func theWALStaysBoundedUnderSteadyCommits() async throws {
        try await withSQLiteBackend { backend, path in
            try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)", [])
            let body = String(repeating: "y", count: 3_000)
            for id in 0..<12_000 {
                try await backend.query("INSERT INTO t (id, body) VALUES ($1, $2)", [.int(Int64(id)), .text(body)])
            }
            // 12,000 pages were written; the WAL starts over soon after it passes `inlineFrames`
            // (4,000: that commit waits for a copy the thread has under way, then copies the
            // rest itself, also on a machine whose CPU the thread is starved of). The file keeps the size it reached: a
            // page of 4,096 bytes and a 24-byte header each.
            let walBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
            let pages = walBytes / (4_096 + 24)
            #expect(pages > 0)
            #expect(pages < 6_000, "the WAL held \(pages) of the 12,000 pages written")
        }
    }

    @Test func closingStopsTheThreadAndRemovesTheWAL() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlc-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("store.sqlite").path
        for round in 0..<3 {
            let backend = try await SQLiteBackend.open(path: path)
            if round == 0 { try await backend.query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)", []) }
            for id in 0..<1_200 { try await backend.query("INSERT INTO t (id, body) VALUES ($1, $2)", [.int(Int64(round * 10_000 + id)), .text(String(repeating: "z", count: 3_000))]) }
            await backend.close()
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "the last connection to close removes the WAL")
        }
        let backend = try await SQLiteBackend.open(path: path)
        let rows = try await backend.query("SELECT COUNT(*) AS n FROM t", [])
        await backend.close()
        #expect(rows.first?.values["n"] == .int(3_600))
    }
}
