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
            // (4,000: a commit's checkpoint meets the thread's and waits for the next commit,
            // so a few hundred more may come first). The file keeps the size it reached: a
            // page of 4,096 bytes and a 24-byte header each.
            let walBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
            let pages = walBytes / (4_096 + 24)
            #expect(pages > 0)
            if Self.machineIsOversubscribed() {
                // Starved of CPU, the thread's checkpoint stays in progress for long spells, and
                // a commit's own checkpoint cannot take the checkpoint lock from it (SQLite
                // answers BUSY without waiting): the WAL then grows until the thread finishes.
                // Known, and asserted only when the machine has a core to spare.
                withKnownIssue("the checkpoint thread starved of CPU (load average above the core count)", isIntermittent: true) {
                    #expect(pages < 6_000, "the WAL held \(pages) of the 12,000 pages written")
                }
            } else {
                #expect(pages < 6_000, "the WAL held \(pages) of the 12,000 pages written")
            }
        }
    }

    /// True when the one-minute load average is above the number of cores.
    static func machineIsOversubscribed() -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8), let load = text.split(separator: " ").first.flatMap({ Double($0) }) else { return false }
        return load > Double(ProcessInfo.processInfo.activeProcessorCount)
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
