import ConnectorKit
import Foundation

extension SQLStore {
    /// Deletes in one short transaction per batch, so ingest and claims wait at most for one
    /// batch, never for a whole sweep.
    public func prune(_ target: RetentionTarget, olderThan cutoff: Date, limit: Int) async throws -> Int {
        let limit = max(1, limit)
        return try await backend.transaction { db in
            let deleted: [SQLRow]
            switch target {
            case .inbox:
                deleted = try await db.query(
                    "DELETE FROM inbox WHERE (system, event_id) IN (SELECT system, event_id FROM inbox WHERE received_at < $1 LIMIT $2) RETURNING event_id",
                    [.time(cutoff), .int(limit)])
            case .finishedJobs:
                deleted = try await db.query(
                    "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state IN ('succeeded', 'merged') AND updated_at < $1 LIMIT $2) RETURNING id",
                    [.time(cutoff), .int(limit)])
            case .replayedDeadLetters:
                deleted = try await db.query(
                    "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE replayed_at IS NOT NULL AND replayed_at < $1 LIMIT $2) RETURNING id",
                    [.time(cutoff), .int(limit)])
            case .doneIntents:
                deleted = try await db.query(
                    """
                    DELETE FROM intents WHERE (integration_id, intent_key) IN (
                        SELECT integration_id, intent_key FROM intents WHERE state = 'done' AND updated_at < $1 LIMIT $2) RETURNING intent_key
                    """,
                    [.time(cutoff), .int(limit)])
            case .audit:
                // The append-only trigger lets through deletes older than the horizon only; it
                // is opened for this transaction and closed again before it commits.
                try await db.query("UPDATE audit_retention SET horizon = $1 WHERE id = 1", [.time(cutoff)])
                deleted = try await db.query(
                    "DELETE FROM audit_entries WHERE id IN (SELECT id FROM audit_entries WHERE at < $1 ORDER BY at LIMIT $2) RETURNING id",
                    [.time(cutoff), .int(limit)])
                try await db.query("UPDATE audit_retention SET horizon = 0 WHERE id = 1", [])
            }
            return deleted.count
        }
    }

    public func discardDeadLetter(id: String) async throws -> DeadLetter {
        try await backend.transaction { db in
            guard let row = try await db.query("SELECT * FROM dead_letters WHERE id = $1 OR job_id = $1 ORDER BY created_at DESC LIMIT 1\(self.backend.dialect.forUpdate)", [.text(id)]).first else {
                throw StoreError.notFound("no dead letter has id \(id); list them with ml-connector dead-letters")
            }
            let letter = try Self.deadLetter(from: row)
            try await db.query("DELETE FROM dead_letters WHERE id = $1", [.text(letter.id)])
            try await db.query("DELETE FROM jobs WHERE id = $1 AND state = 'dead'", [.text(letter.jobID)])
            return letter
        }
    }
}
