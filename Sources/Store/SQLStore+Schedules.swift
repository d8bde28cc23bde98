import ConnectorKit
import Foundation
import PostgresNIO

extension SQLStore {
    public func failingSchedules(connectionID: String?) async throws -> [FailingSchedule] {
        var conditions = SQLConditions()
        if let connectionID { conditions.add(.text(connectionID)) { "connection_id = \($0)" } }
        return try await backend.query("SELECT * FROM failing_schedules \(conditions.whereClause) ORDER BY failing_since, coalesce_key", conditions.binds).map { row in
            FailingSchedule(coalesceKey: try row.string("coalesce_key"), kind: try row.string("kind"), connectionID: row.optionalString("connection_id"),
                            integrationID: row.optionalString("integration_id"), failingSince: try row.time("failing_since"),
                            failures: Int(try row.int("failures")), lastError: row.optionalString("last_error"))
        }
    }

    /// Enqueues a recurring job's next run one interval after `after`, yielding to a pending
    /// run that a newer request already set.
    static func scheduleNextRun(of job: JobRecord, after: Date, in db: any SQLExecutor, dialect: SQLDialect) async throws {
        guard let every = job.repeatEveryMs else { return }
        var next = JobRequest(kind: job.kind, tenant: job.tenant, integrationID: job.integrationID, connectionID: job.connectionID,
                              coalesceKey: job.coalesceKey, payload: job.payload, runAt: after.addingTimeInterval(Double(every) / 1000),
                              maxAttempts: job.maxAttempts, source: .schedule)
        next.repeatEvery = .milliseconds(every)
        _ = try await enqueue(next, in: db, dialect: dialect, yieldingToPending: true)
    }

    /// Notes a failed run of a recurring job; the first failure since the last success sets
    /// `failing_since`. One-off jobs are not schedules and are not noted.
    static func noteFailingSchedule(_ job: JobRecord, error: String, at now: Date, in db: any SQLExecutor) async throws {
        guard job.repeatEveryMs != nil, let key = job.coalesceKey else { return }
        try await db.query(
            """
            INSERT INTO failing_schedules (coalesce_key, kind, connection_id, integration_id, failing_since, failures, last_error, updated_at)
            VALUES ($1, $2, $3, $4, $5, 1, $6, $5)
            ON CONFLICT (coalesce_key) DO UPDATE SET failures = failing_schedules.failures + 1, last_error = excluded.last_error, updated_at = excluded.updated_at
            """,
            [.text(key), .text(job.kind), .text(job.connectionID), .text(job.integrationID), .time(now), .text(error)]
        )
    }

    /// A recurring job succeeded: it is failing no more.
    static func clearFailingSchedule(_ job: JobRecord, in db: any SQLExecutor) async throws {
        guard let key = job.coalesceKey else { return }
        try await db.query("DELETE FROM failing_schedules WHERE coalesce_key = $1", [.text(key)])
    }

    /// True when `error` is a unique-index violation, on either backend.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError { return psql.serverInfo?[.sqlState] == "23505" }
        return String(describing: error).contains("UNIQUE constraint failed")
    }
}
