import ConnectorKit
import Foundation

/// Enqueueing jobs: one at a time, or a batch in a few multi-row statements.
extension SQLStore {
    @discardableResult
    public func enqueue(_ request: JobRequest) async throws -> EnqueueResult {
        let dialect = backend.dialect
        return try await backend.transaction { db in
            try await Self.enqueue(request, in: db, dialect: dialect)
        }
    }

    /// Inserts a job, or merges it into the pending job of its coalescing key and kind (a job
    /// of another kind with the key waits its turn: the key serializes, the kind merges). A new
    /// request brings its payload and interval (a schedule whose interval changed takes the new one);
    /// a recurring job's own next run `yieldingToPending` keeps what a newer request set. The
    /// earlier run time stays (workers fetch the current record anyway).
    static func enqueue(_ request: JobRequest, in db: any SQLExecutor, dialect: SQLDialect, yieldingToPending: Bool = false) async throws -> EnqueueResult {
        let id = newID()
        let paused = try await pausedIntegrations(among: [request], in: db, dialect: dialect)
        let (sql, binds) = enqueueStatement([FoldedJobRequest(request: request, folded: 0)], ids: [id], paused: paused, dialect: dialect, yieldingToPending: yieldingToPending)
        let rows = try await db.query(sql + " RETURNING id", binds)
        let stored = try rows.first?.string("id") ?? id
        return EnqueueResult(jobID: stored, merged: stored != id)
    }

    /// Enqueues `requests` as `enqueue` would one after another, in one statement per
    /// chunk (`StatementChunks`): a batch of deliveries or a poll's changes is a few round trips,
    /// not one per job.
    static func enqueue(batch requests: [JobRequest], in db: any SQLExecutor, dialect: SQLDialect) async throws {
        let folded = FoldedJobRequest.fold(requests)
        let paused = try await pausedIntegrations(among: requests, in: db, dialect: dialect)
        for run in folded.statementChunks(maximum: jobRowsPerStatement) {
            let chunk = Array(run)
            let (sql, binds) = enqueueStatement(chunk, ids: chunk.map { _ in newID() }, paused: paused, dialect: dialect, yieldingToPending: false)
            try await db.query(sql, binds)
        }
    }

    /// Most job rows per INSERT: fifteen values each, well under SQLite's 32,766 bound values and
    /// PostgreSQL's 65,535.
    static let jobRowsPerStatement = 512

    /// Which of the integrations `requests` name are paused, read once for a whole batch (a
    /// subquery per row made SQLite open and close cursors for every job, a third of an
    /// enqueue's time). On PostgreSQL the read shares a lock on each integration's row until
    /// the transaction ends, as `heldWhenPaused` does: a pause or resume that is committing is
    /// waited for and then seen, and one that starts later waits for this transaction, so its
    /// `markHeldJobs` sees the jobs written here. The rows are locked in byte order, before any
    /// job row, the order a pause takes them in too.
    static func pausedIntegrations(among requests: [JobRequest], in db: any SQLExecutor, dialect: SQLDialect) async throws -> Set<String> {
        let named = Set(requests.compactMap(\.integrationID)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var paused = Set<String>()
        for chunk in named.statementChunks(maximum: jobRowsPerStatement) {
            let rows = try await db.query(
                "SELECT id, state FROM integrations WHERE id IN (\(placeholders(from: 1, count: chunk.count)))\(dialect.forShare)",
                chunk.map { SQLValue.text($0) }
            )
            for row in rows where row.optionalString("state") == "paused" { paused.insert(try row.string("id")) }
        }
        return paused
    }

    /// The INSERT behind both `enqueue`s. A row's `merged_count` says how many requests were
    /// folded into it, and a merge into a pending job adds those and one for the row itself; a
    /// job of a `paused` integration is written held.
    private static func enqueueStatement(_ rows: [FoldedJobRequest], ids: [String], paused: Set<String>, dialect: SQLDialect, yieldingToPending: Bool) -> (String, [SQLValue]) {
        let now = Date()
        let merge = yieldingToPending
            ? "payload = jobs.payload, repeat_every_ms = COALESCE(jobs.repeat_every_ms, excluded.repeat_every_ms)"
            : "payload = excluded.payload, repeat_every_ms = COALESCE(excluded.repeat_every_ms, jobs.repeat_every_ms)"
        var values: [String] = []
        var binds: [SQLValue] = []
        binds.reserveCapacity(rows.count * 15)
        for (row, id) in zip(rows, ids) {
            let request = row.request
            let first = binds.count + 1
            func at(_ offset: Int) -> String { "$\(first + offset)" }
            values.append(
                "(\(at(0)), \(at(1)), \(at(2)), \(at(3)), \(at(4)), \(at(5)), \(at(6)), 'pending', 0, \(at(7)), \(at(8)), \(at(9)), \(at(10)), \(at(11)), \(at(12)), "
                    + "\(at(13)), \(at(13)), \(at(14)))"
            )
            binds += [.text(id), .text(request.tenant), .text(request.kind), .text(request.integrationID), .text(request.connectionID), .text(request.coalesceKey),
                      .text(request.payload), .int(request.maxAttempts), .time(request.runAt), .int(row.folded),
                      request.repeatEvery.map { .int(Backoff.milliseconds($0)) } ?? .null, .text(request.replayOf), .text(request.source.rawValue), .time(now),
                      .int(request.integrationID.map(paused.contains) == true ? 1 : 0)]
        }
        let sql = """
            INSERT INTO jobs (id, tenant, kind, integration_id, connection_id, coalesce_key, payload, state, attempts, max_attempts, run_at,
                              merged_count, repeat_every_ms, replay_of, source, created_at, updated_at, held)
            VALUES \(values.joined(separator: ", "))
            ON CONFLICT (coalesce_key, kind) WHERE state = 'pending' DO UPDATE SET
                \(merge), run_at = \(dialect.least)(jobs.run_at, excluded.run_at),
                merged_count = jobs.merged_count + 1 + excluded.merged_count, updated_at = excluded.updated_at
            """
        return (sql, binds)
    }
}
