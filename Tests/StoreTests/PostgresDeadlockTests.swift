import Foundation
@testable import Store
import TestSupport
import Testing

/// PostgreSQL breaks a deadlock by rolling one transaction back; the backend runs that one
/// again, so both callers succeed and each change lands once.
@Suite struct PostgresDeadlockTests {
    /// Lets each transaction go on only once both have taken their first row lock.
    actor Barrier {
        private var arrived = 0
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func arrive() async {
            arrived += 1
            if arrived >= 2 {
                for waiter in waiting { waiter.resume() }
                waiting.removeAll()
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    @Test("a transaction chosen as a deadlock's victim runs again", .enabled(if: TestDatabase.postgresAvailable, "ML_CONNECTOR_TEST_POSTGRES_URL is not set"))
    func aDeadlockVictimRunsAgain() async throws {
        try await TestDatabase.postgres.withStore { store in
            let backend = store.backend
            let table = "deadlock_\(UUID().uuidString.prefix(8).lowercased())"
            try await backend.query("CREATE TABLE \(table) (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)", [])
            try await backend.query("INSERT INTO \(table) (id, n) VALUES (1, 0), (2, 0)", [])
            let barrier = Barrier()
            let runs = try await withThrowingTaskGroup(of: Int.self) { group in
                for (first, second) in [(1, 2), (2, 1)] {
                    group.addTask {
                        try await backend.transaction { db in
                            try await db.query("UPDATE \(table) SET n = n + 1 WHERE id = $1", [.int(Int64(first))])
                            await barrier.arrive()
                            try await db.query("UPDATE \(table) SET n = n + 1 WHERE id = $1", [.int(Int64(second))])
                            return 1
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(runs == 2, "both transactions committed")
            let rows = try await backend.query("SELECT id, n FROM \(table) ORDER BY id", [])
            #expect(rows.map { $0.values["n"] } == [.int(2), .int(2)], "the victim's first run left nothing behind")
            try await backend.query("DROP TABLE \(table)", [])
        }
    }
}
