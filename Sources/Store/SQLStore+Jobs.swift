import ConnectorKit
import Foundation

extension SQLStore {
    public func claimJobs(worker: String, kinds: Set<String>, limit: Int, lease: Duration, now: Date) async throws -> [JobClaim] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        let token = Self.newID()
        let kindList = kinds.sorted()
        let dialect = backend.dialect
        let skipLocked = dialect.forUpdateSkipLocked
        let leaseUntil = now.addingTimeInterval(lease.timeInterval)
        let kinds = Self.placeholders(from: 5, count: kindList.count)
        let binds: [SQLValue] = [.text(token), .text(worker), .time(leaseUntil), .time(now)] + kindList.map { .text($0) }
        let rows: [SQLRow]
        do {
            // One statement (atomic without a transaction around it), two searches, each on its
            // own index: running jobs whose lease ran out come first (their worker is gone, and
            // each holds back its key), then the oldest due pending jobs. A job taken over keeps
            // its key: the pending search skips every key with a running job.
            // The limit is written into the text, not bound: SQLite reads a bound LIMIT while
            // planning the subquery and then prepares the statement again for every new
            // binding, which was a fifth of the queue's time per job. It is ours, and a
            // worker asks with one of a few sizes, so the prepared statements stay few.
            rows = try await backend.query(
                """
                UPDATE jobs SET state = 'running', attempts = attempts + 1, claim_token = $1, worker = $2, lease_until = $3, updated_at = $4
                WHERE id IN (
                    SELECT id FROM (
                        SELECT id FROM jobs\(dialect.indexedBy("jobs_leases"))
                        WHERE state = 'running' AND lease_until < $4 AND kind IN (\(kinds))
                          AND (integration_id IS NULL OR NOT EXISTS (
                              SELECT 1 FROM integrations WHERE integrations.id = jobs.integration_id AND integrations.state = 'paused'))
                        ORDER BY lease_until LIMIT \(limit)\(skipLocked)) AS expired
                    UNION ALL
                    SELECT id FROM (\(Self.claimablePendingJobs(kinds: kinds, limit: limit, dialect: dialect))) AS due
                    LIMIT \(limit))
                RETURNING *
                """,
                binds
            )
        } catch where Self.isUniqueViolation(error) {
            // Another claimer made a job of the same key running first; the index refused this
            // claim whole, and the next look at the queue finds what is still free.
            return []
        }
        return try rows.map { JobClaim(job: try Self.job(from: $0), token: token) }.sorted { $0.job.runAt < $1.job.runAt }
    }

    /// The pending jobs a claim may take, oldest due first, at most `limit` (binds: `$4` now,
    /// the kinds from `$5`).
    static func claimablePendingJobs(kinds: String, limit: Int, dialect: SQLDialect) -> String {
        """
        SELECT id FROM jobs\(dialect.indexedBy("jobs_claimable"))
        -- jobs_claimable holds due-ordered pending jobs that are not held: a paused
        -- integration's jobs can be many, and are never taken.
        WHERE state = 'pending' AND held = 0 AND run_at <= $4 AND kind IN (\(kinds))
          -- One key, one running job: a pending job waits while any job of its key is
          -- running, even one whose lease ran out (that one is claimed itself). The
          -- unique index jobs_one_running makes this a guarantee across processes.
          AND (coalesce_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM jobs AS busy WHERE busy.coalesce_key = jobs.coalesce_key AND busy.state = 'running'))
          -- Of a key's due pending jobs (one per kind) only the oldest goes: one
          -- claim never makes two of a key running, and they run in the order asked.
          -- `+run_at` keeps SQLite on the key's index: on (state, run_at) it read every due
          -- job for every candidate, so a claim over 2,000 held jobs took 0.5 s of
          -- the one connection webhook ingest shares.
          AND (coalesce_key IS NULL OR NOT EXISTS (
              SELECT 1 FROM jobs AS earlier WHERE earlier.coalesce_key = jobs.coalesce_key AND earlier.state = 'pending'
                AND +earlier.run_at <= $4 AND (earlier.run_at < jobs.run_at OR (earlier.run_at = jobs.run_at AND earlier.id < jobs.id))))
          -- A paused integration's jobs are held until it resumes; `held` is set
          -- when it pauses, and this catches a job enqueued while the pause commits.
          AND (integration_id IS NULL OR NOT EXISTS (
              SELECT 1 FROM integrations WHERE integrations.id = jobs.integration_id AND integrations.state = 'paused'))
        ORDER BY run_at LIMIT \(limit)\(dialect.forUpdateSkipLocked)
        """
    }

    /// SQL that is 1 when the integration `integrationID` (a bind or a column) is paused, else 0:
    /// the `held` mark a pending job carries, which keeps it out of the claim's index.
    ///
    /// On PostgreSQL the read shares a lock on the integration's row. A pause or resume that is
    /// committing is waited for and then seen; and a pause or resume that starts after this read
    /// waits until this transaction commits, so its `markHeldJobs` sees the row written here.
    /// Without the lock, a job enqueued during a resume could keep `held = 1` for good.
    static func heldWhenPaused(_ integrationID: String, dialect: SQLDialect) -> String {
        "CASE WHEN EXISTS (SELECT 1 FROM integrations WHERE integrations.id = \(integrationID) AND integrations.state = 'paused'\(dialect.forShare)) THEN 1 ELSE 0 END"
    }

    /// Marks the pending jobs of `integrationID` held or not, as its state now says (not held
    /// once it is gone); run in the transaction that changes or removes it. On PostgreSQL the
    /// rows are locked first in the order batch enqueues lock them (key and kind, byte order),
    /// so the two cannot deadlock.
    static func markHeldJobs(integrationID: String, in db: any SQLExecutor, dialect: SQLDialect) async throws {
        if !dialect.forUpdate.isEmpty {
            try await db.query(
                "SELECT id FROM jobs WHERE integration_id = $1 AND state = 'pending' ORDER BY coalesce_key COLLATE \"C\", kind COLLATE \"C\"\(dialect.forUpdate)",
                [.text(integrationID)]
            )
        }
        try await db.query(
            "UPDATE jobs SET held = \(heldWhenPaused("$1", dialect: dialect)) WHERE integration_id = $1 AND state = 'pending'",
            [.text(integrationID)]
        )
    }

    public func heartbeat(_ claim: JobClaim, lease: Duration, now: Date) async throws -> Bool {
        let leaseUntil = now.addingTimeInterval(lease.timeInterval)
        let rows = try await backend.query(
            "UPDATE jobs SET lease_until = $1, updated_at = $2 WHERE id = $3 AND claim_token = $4 AND state = 'running' RETURNING id",
            [.time(leaseUntil), .time(now), .text(claim.job.id), .text(claim.token)]
        )
        return !rows.isEmpty
    }

    public func completeJobs(_ completions: [JobCompletion]) async throws -> [StoreError?] {
        let dialect = backend.dialect
        return try await backend.transaction { db in
            let held = try await Self.markSucceeded(completions, in: db)
            var audits: [AuditEntry] = []
            audits.reserveCapacity(completions.count)
            for (completion, isHeld) in zip(completions, held) where isHeld {
                try await Self.apply(completion.writes, in: db, dialect: dialect)
                audits.append(completion.audit)
                // The claim's copy is the row: a running job's payload is never merged into.
                let job = completion.claim.job
                if job.repeatEveryMs != nil {
                    // A recurring job schedules its next run in the transaction that ends this one.
                    try await Self.scheduleNextRun(of: job, after: completion.now, in: db, dialect: dialect)
                    try await Self.clearFailingSchedule(job, in: db)
                }
            }
            try await Self.appendAudits(audits, in: db)
            return held.enumerated().map { index, isHeld in isHeld ? nil : .leaseLost(jobID: completions[index].claim.job.id) }
        }
    }

    /// Marks every completion's job succeeded whose claim is still its own, in one statement per
    /// chunk (`StatementChunks`: a batch costs a few round trips, not one per job), and says
    /// for each completion whether it was. A job named twice counts once: the later one finds
    /// its claim gone, as it would one statement at a time.
    static func markSucceeded(_ completions: [JobCompletion], in db: any SQLExecutor) async throws -> [Bool] {
        var succeeded = Set<String>()
        for chunk in completions.statementChunks(maximum: completionsPerStatement) {
            let list = ValuesList(chunk, width: 3) { [.text($0.claim.job.id), .text($0.claim.token), .time($0.now)] }
            // VALUES columns are column1… on both databases; the join finds each job by its key.
            let done = try await db.query(
                """
                UPDATE jobs SET state = 'succeeded', lease_until = NULL, claim_token = NULL, last_error = NULL, updated_at = done.column3
                FROM (VALUES \(list.sql)) AS done
                WHERE jobs.id = done.column1 AND jobs.claim_token = done.column2 AND jobs.state = 'running'
                RETURNING jobs.id
                """,
                list.binds
            )
            for row in done { succeeded.insert(try row.string("id")) }
        }
        var seen = Set<String>()
        return completions.map { completion in
            let id = completion.claim.job.id
            return succeeded.contains(id) && seen.insert(id).inserted
        }
    }

    /// Most completions per UPDATE: three values each.
    static let completionsPerStatement = 512

    public func retryJob(_ claim: JobClaim, at runAt: Date, error: String, audit: AuditEntry) async throws {
        let dialect = backend.dialect
        try await backend.transaction { db in
            try await Self.returnToPending(claim, runAt: runAt, error: error, failed: true, in: db, dialect: dialect)
            try await Self.appendAudit(audit, in: db)
            try await Self.noteFailingSchedule(claim.job, error: error, at: Date(), in: db)
        }
    }

    public func releaseJob(_ claim: JobClaim) async throws {
        let dialect = backend.dialect
        try await backend.transaction { db in
            try await Self.returnToPending(claim, runAt: Date(), error: nil, failed: false, in: db, dialect: dialect)
        }
    }

    /// Puts a claimed job back in the queue, one failure more when its attempt `failed` (else
    /// released unstarted: not an attempt); when a newer pending job of its key and kind exists,
    /// this one is folded into it instead (the pending job will fetch the record anew).
    private static func returnToPending(_ claim: JobClaim, runAt: Date, error: String?, failed: Bool, in db: any SQLExecutor, dialect: SQLDialect) async throws {
        let attemptAdjustment = failed ? ", failures = failures + 1" : ", attempts = attempts - 1"
        if let key = claim.job.coalesceKey,
           let sibling = try await db.query("SELECT id FROM jobs WHERE coalesce_key = $1 AND kind = $2 AND state = 'pending'\(dialect.forUpdate)", [.text(key), .text(claim.job.kind)]).first {
            let merged = try await db.query(
                "UPDATE jobs SET state = 'merged', lease_until = NULL, claim_token = NULL, last_error = $1, updated_at = $2 WHERE id = $3 AND claim_token = $4 AND state = 'running' RETURNING id",
                [.text(error), .time(Date()), .text(claim.job.id), .text(claim.token)]
            )
            guard !merged.isEmpty else { throw StoreError.leaseLost(jobID: claim.job.id) }
            try await db.query(
                "UPDATE jobs SET run_at = \(dialect.least)(run_at, $1), merged_count = merged_count + 1, updated_at = $2 WHERE id = $3",
                [.time(runAt), .time(Date()), .text(try sibling.string("id"))]
            )
            return
        }
        let rows = try await db.query(
            """
            UPDATE jobs SET state = 'pending', run_at = $1, last_error = $2, lease_until = NULL, claim_token = NULL, worker = NULL, updated_at = $3,
                held = \(heldWhenPaused("jobs.integration_id", dialect: dialect))\(attemptAdjustment)
            WHERE id = $4 AND claim_token = $5 AND state = 'running' RETURNING id
            """,
            [.time(runAt), .text(error), .time(Date()), .text(claim.job.id), .text(claim.token)]
        )
        guard !rows.isEmpty else { throw StoreError.leaseLost(jobID: claim.job.id) }
    }

    public func deadLetterJob(_ claim: JobClaim, error: String, errorKind: String, audit: AuditEntry) async throws -> DeadLetter {
        let dialect = backend.dialect
        return try await backend.transaction { db in
            let rows = try await db.query(
                "UPDATE jobs SET state = 'dead', lease_until = NULL, claim_token = NULL, last_error = $1, updated_at = $2 WHERE id = $3 AND claim_token = $4 AND state = 'running' RETURNING *",
                [.text(error), .time(Date()), .text(claim.job.id), .text(claim.token)]
            )
            guard let row = rows.first else { throw StoreError.leaseLost(jobID: claim.job.id) }
            let job = try Self.job(from: row)
            let letter = DeadLetter(id: Self.newID(), jobID: job.id, tenant: job.tenant, kind: job.kind, integrationID: job.integrationID, connectionID: job.connectionID,
                                    coalesceKey: job.coalesceKey, payload: job.payload, attempts: job.attempts, error: error, errorKind: errorKind, createdAt: Date())
            try await db.query(
                """
                INSERT INTO dead_letters (id, job_id, tenant, kind, integration_id, connection_id, coalesce_key, payload, attempts, error, error_kind, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                """,
                [.text(letter.id), .text(letter.jobID), .text(letter.tenant), .text(letter.kind), .text(letter.integrationID), .text(letter.connectionID),
                 .text(letter.coalesceKey), .text(letter.payload), .int(letter.attempts), .text(letter.error), .text(letter.errorKind), .time(letter.createdAt)]
            )
            try await Self.appendAudit(audit, in: db)
            if job.repeatEveryMs != nil {
                // A recurring job is recorded as dead and keeps its schedule: a poll that failed
                // through an outage must poll again once the vendor is back.
                try await Self.scheduleNextRun(of: job, after: Date(), in: db, dialect: dialect)
                try await Self.noteFailingSchedule(job, error: error, at: Date(), in: db)
            }
            return letter
        }
    }

    public func job(id: String) async throws -> JobRecord? {
        try await backend.query("SELECT * FROM jobs WHERE id = $1", [.text(id)]).first.map(Self.job(from:))
    }

    public func jobs(state: JobState?, integrationID: String?, limit: Int) async throws -> [JobRecord] {
        var conditions = SQLConditions()
        if let state { conditions.add(.text(state.rawValue)) { "state = \($0)" } }
        if let integrationID { conditions.add(.text(integrationID)) { "integration_id = \($0)" } }
        let limit = conditions.limit(limit)
        return try await backend.query("SELECT * FROM jobs \(conditions.whereClause) ORDER BY created_at DESC, id \(limit)", conditions.binds).map(Self.job(from:))
    }

    public func jobCounts() async throws -> [JobState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        for row in try await backend.query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state", []) {
            if let state = JobState(rawValue: try row.string("state")) { counts[state] = Int(try row.int("n")) }
        }
        return counts
    }

    public func replay(id: String, now: Date) async throws -> String {
        let dialect = backend.dialect
        return try await backend.transaction { db in
            let letters = try await db.query("SELECT * FROM dead_letters WHERE id = $1 OR job_id = $1 ORDER BY created_at DESC LIMIT 1", [.text(id)])
            let request: JobRequest
            var letterID: String?
            if let letter = letters.first {
                letterID = try letter.string("id")
                request = JobRequest(kind: try letter.string("kind"), tenant: try letter.string("tenant"), integrationID: letter.optionalString("integration_id"),
                                     connectionID: letter.optionalString("connection_id"), coalesceKey: letter.optionalString("coalesce_key"),
                                     payload: try letter.string("payload"), runAt: now, source: .replay, replayOf: try letter.string("job_id"))
            } else if let row = try await db.query("SELECT * FROM jobs WHERE id = $1", [.text(id)]).first {
                let job = try Self.job(from: row)
                request = JobRequest(kind: job.kind, tenant: job.tenant, integrationID: job.integrationID, connectionID: job.connectionID,
                                     coalesceKey: job.coalesceKey, payload: job.payload, runAt: now, maxAttempts: job.maxAttempts, source: .replay, replayOf: job.id)
            } else {
                throw StoreError.notFound("no job or dead letter has id \(id); list them with ml-connector dead-letters")
            }
            let result = try await Self.enqueue(request, in: db, dialect: dialect)
            if let letterID {
                try await db.query("UPDATE dead_letters SET replayed_at = $1, replay_job_id = $2 WHERE id = $3", [.time(now), .text(result.jobID), .text(letterID)])
            }
            return result.jobID
        }
    }

    static func job(from row: SQLRow) throws -> JobRecord {
        JobRecord(
            id: try row.string("id"),
            tenant: try row.string("tenant"),
            kind: try row.string("kind"),
            integrationID: row.optionalString("integration_id"),
            connectionID: row.optionalString("connection_id"),
            coalesceKey: row.optionalString("coalesce_key"),
            payload: try row.string("payload"),
            state: JobState(rawValue: try row.string("state")) ?? .pending,
            attempts: Int(try row.int("attempts")),
            failures: Int(try row.int("failures")),
            maxAttempts: Int(try row.int("max_attempts")),
            runAt: try row.time("run_at"),
            leaseUntil: row.optionalTime("lease_until"),
            worker: row.optionalString("worker"),
            lastError: row.optionalString("last_error"),
            mergedCount: Int(try row.int("merged_count")),
            repeatEveryMs: row.optionalInt("repeat_every_ms"),
            replayOf: row.optionalString("replay_of"),
            source: TriggerSource(rawValue: try row.string("source")) ?? .manual,
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at")
        )
    }
}
