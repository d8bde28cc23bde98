import ConnectorKit
import Foundation

extension SQLStore {
    public func beginIntent(integrationID: String, key: String, claim: JobClaim?, aim: String?, now: Date) async throws -> IntentRecord? {
        let forUpdate = backend.dialect.forUpdate
        return try await backend.transaction { db in
            if let claim {
                // Fenced by the claim: a job that lost its lease records nothing, so it cannot go
                // on to create what the worker now holding the job will create.
                let held = try await db.query("SELECT id FROM jobs WHERE id = $1 AND claim_token = $2 AND state = 'running' AND lease_until >= $3",
                                              [.text(claim.job.id), .text(claim.token), .time(now)])
                guard !held.isEmpty else { throw StoreError.leaseLost(jobID: claim.job.id) }
            }
            // Insert-if-absent first: two racing attempts cannot both believe they are the first.
            let inserted = try await db.query(
                """
                INSERT INTO intents (integration_id, intent_key, state, target_ref, job_id, claim_token, created_at, updated_at, aims)
                VALUES ($1, $2, 'open', NULL, $3, $4, $5, $5, $6)
                ON CONFLICT (integration_id, intent_key) DO NOTHING RETURNING intent_key
                """,
                [.text(integrationID), .text(key), .text(claim?.job.id), .text(claim?.token), .time(now), .text(try aim.map { try jsonText([$0]) })]
            )
            if !inserted.isEmpty { return nil }
            guard let existing = try await db.query("SELECT * FROM intents WHERE integration_id = $1 AND intent_key = $2\(forUpdate)",
                                                    [.text(integrationID), .text(key)]).first else {
                throw StoreError.corrupt("intent \(key) of \(integrationID) vanished while locked")
            }
            let record = try Self.intent(from: existing)
            // This attempt's aim joins the earlier ones (a done intent too: a replay may make the
            // effect again somewhere new), the newest kept.
            var aims = record.aims
            if let aim, !aims.contains(aim) { aims = Array((aims + [aim]).suffix(IntentRecord.aimLimit)) }
            // The same attempt beginning its own intent again learns nothing new.
            if let claim, record.state == .open, existing.optionalString("claim_token") == claim.token {
                if aims != record.aims { try await Self.setAims(aims, integrationID: integrationID, key: key, in: db) }
                return nil
            }
            if record.state == .open {
                try await db.query("UPDATE intents SET job_id = $3, claim_token = $4, updated_at = $5 WHERE integration_id = $1 AND intent_key = $2",
                                   [.text(integrationID), .text(key), .text(claim?.job.id), .text(claim?.token), .time(now)])
            }
            if aims != record.aims { try await Self.setAims(aims, integrationID: integrationID, key: key, in: db) }
            return record
        }
    }

    private static func setAims(_ aims: [String], integrationID: String, key: String, in db: any SQLExecutor) async throws {
        try await db.query("UPDATE intents SET aims = $3 WHERE integration_id = $1 AND intent_key = $2", [.text(integrationID), .text(key), .text(try jsonText(aims))])
    }

    public func intent(integrationID: String, key: String) async throws -> IntentRecord? {
        try await backend.query("SELECT * FROM intents WHERE integration_id = $1 AND intent_key = $2", [.text(integrationID), .text(key)]).first.map(Self.intent(from:))
    }

    /// Marks an intent done (recording it done when no attempt began it), in the caller's transaction.
    static func closeIntent(integrationID: String, key: String, targetRef: String?, in db: any SQLExecutor) async throws {
        try await db.query(
            """
            INSERT INTO intents (integration_id, intent_key, state, target_ref, job_id, claim_token, created_at, updated_at)
            VALUES ($1, $2, 'done', $3, NULL, NULL, $4, $4)
            ON CONFLICT (integration_id, intent_key) DO UPDATE SET state = 'done', target_ref = COALESCE(excluded.target_ref, intents.target_ref),
                claim_token = NULL, updated_at = excluded.updated_at
            """,
            [.text(integrationID), .text(key), .text(targetRef), .time(Date())]
        )
    }

    static func intent(from row: SQLRow) throws -> IntentRecord {
        IntentRecord(
            integrationID: try row.string("integration_id"),
            key: try row.string("intent_key"),
            state: IntentState(rawValue: try row.string("state")) ?? .open,
            targetRef: row.optionalString("target_ref"),
            jobID: row.optionalString("job_id"),
            aims: row.optionalString("aims").flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [],
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at")
        )
    }
}
