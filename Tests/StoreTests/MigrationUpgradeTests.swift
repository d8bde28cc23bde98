import Foundation
import Store
import TestSupport
import Testing

/// Upgrades rehearsed from an older schema holding data the newer one forbids.
@Suite struct MigrationUpgradeTests {
    func backend(_ database: TestDatabase) async throws -> any SQLBackend {
        switch database {
        case .sqlite:
            return try await SQLiteBackend.open(path: try TestDatabase.temporaryDirectory() + "/upgrade.sqlite")
        case .postgres:
            return try await PostgresBackend.connect(url: try await TestDatabase.freshPostgresDatabase())
        }
    }

    func insertRunningJob(_ id: String, key: String, in backend: any SQLBackend) async throws {
        try await backend.query(
            """
            INSERT INTO jobs (id, tenant, kind, coalesce_key, payload, state, attempts, max_attempts, run_at, lease_until, claim_token,
                              merged_count, source, created_at, updated_at)
            VALUES ($1, 'acme', 'testkind.change', $2, '{}', 'running', 1, 5, 0, 0, $3, 0, 'schedule', 0, 0)
            """,
            [.text(id), .text(key), .text("token-\(id)")]
        )
    }

    /// Version 2 let two processes each run a job of one key; version 4's unique index of
    /// running jobs must still build on such a database (it failed before the upgrade folded them).
    @Test(arguments: TestDatabase.available)
    func oneRunningJobPerKeySurvivesTwoRunningAtUpgrade(_ database: TestDatabase) async throws {
        let backend = try await backend(database)
        do {
            #expect(try await Migrations.apply(on: backend, through: 3) == [1, 2, 3])
            try await insertRunningJob("job-a", key: "sync:invoice-1", in: backend)
            try await insertRunningJob("job-b", key: "sync:invoice-1", in: backend)
            try await insertRunningJob("job-c", key: "sync:invoice-2", in: backend)

            #expect(try await Migrations.apply(on: backend) == Array(4...Migrations.latestVersion))

            let rows = try await backend.query("SELECT id, state, claim_token FROM jobs ORDER BY id", [])
            #expect(rows.map { [$0.values["id"], $0.values["state"], $0.values["claim_token"]] } == [
                [.text("job-a"), .text("running"), .text("token-job-a")],
                [.text("job-b"), .text("merged"), .null],
                [.text("job-c"), .text("running"), .text("token-job-c")],
            ])
            // The guarantee now holds: a second running job of a key is refused.
            await #expect(throws: (any Error).self) { try await insertRunningJob("job-d", key: "sync:invoice-2", in: backend) }
        } catch {
            await backend.close()
            throw error
        }
        await backend.close()
    }
}
