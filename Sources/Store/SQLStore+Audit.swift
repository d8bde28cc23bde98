import ConnectorKit
import Foundation

extension SQLStore {
    public func appendAudit(_ entry: AuditEntry) async throws {
        try await Self.appendAudit(entry, in: backend)
    }

    /// Appends an entry inside an open transaction. Errors and exchange notes pass through the
    /// redactor once more here, the last gate before the trail.
    static func appendAudit(_ entry: AuditEntry, in db: any SQLExecutor) async throws {
        try await appendAudits([entry], in: db)
    }

    /// Appends entries in order inside an open transaction, one INSERT per chunk
    /// (`StatementChunks`: a batch of completed jobs writes its trail in a few round trips).
    static func appendAudits(_ entries: [AuditEntry], in db: any SQLExecutor) async throws {
        for chunk in entries.statementChunks(maximum: auditRowsPerStatement) {
            let list = try ValuesList(chunk, width: 13, auditValues)
            try await db.query(
                """
                INSERT INTO audit_entries (at, tenant, integration_id, job_id, attempt, connection_id, source_ref, target_ref, action, outcome, error, duration_ms, exchanges)
                VALUES \(list.sql)
                """,
                list.binds
            )
        }
    }

    /// Audit rows per INSERT: thirteen values each, well under either database's bound.
    static let auditRowsPerStatement = 256

    /// The thirteen values of one audit row, its error and exchanges redacted.
    private static func auditValues(_ entry: AuditEntry) throws -> [SQLValue] {
        let redactor = SecretRedactor.shared
        var exchanges = entry.exchanges
        for index in exchanges.indices {
            exchanges[index].url = redactor.redact(exchanges[index].url)
            exchanges[index].note = exchanges[index].note.map(redactor.redact)
        }
        return [.time(entry.at), .text(entry.tenant), .text(entry.integrationID), .text(entry.jobID), .int(entry.attempt), .text(entry.connectionID),
                .text(entry.sourceRef), .text(entry.targetRef), .text(entry.action), .text(entry.outcome.rawValue), .text(entry.error.map(redactor.redact)),
                .int(entry.durationMs), .text(exchanges.isEmpty ? "[]" : try jsonText(exchanges))]
    }

    public func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry] {
        var conditions = SQLConditions()
        if let id = filter.id { conditions.add(.int(id)) { "id = \($0)" } }
        if let tenant = filter.tenant { conditions.add(.text(tenant)) { "tenant = \($0)" } }
        if let integrationID = filter.integrationID { conditions.add(.text(integrationID)) { "integration_id = \($0)" } }
        if let ref = filter.ref { conditions.add(.text(ref)) { "(source_ref = \($0) OR target_ref = \($0))" } }
        if let jobID = filter.jobID { conditions.add(.text(jobID)) { "job_id = \($0)" } }
        if let outcome = filter.outcome { conditions.add(.text(outcome.rawValue)) { "outcome = \($0)" } }
        if let since = filter.since { conditions.add(.time(since)) { "at >= \($0)" } }
        if let until = filter.until { conditions.add(.time(until)) { "at <= \($0)" } }
        let limit = conditions.limit(filter.limit)
        let rows = try await backend.query("SELECT * FROM audit_entries \(conditions.whereClause) ORDER BY at DESC, id DESC \(limit)", conditions.binds)
        return try rows.map { row in
            AuditEntry(
                id: try row.int("id"),
                at: try row.time("at"),
                tenant: try row.string("tenant"),
                integrationID: row.optionalString("integration_id"),
                jobID: row.optionalString("job_id"),
                attempt: Int(try row.int("attempt")),
                connectionID: row.optionalString("connection_id"),
                sourceRef: row.optionalString("source_ref"),
                targetRef: row.optionalString("target_ref"),
                action: try row.string("action"),
                outcome: AuditOutcome(rawValue: try row.string("outcome")) ?? .rejected,
                error: row.optionalString("error"),
                durationMs: Int(try row.int("duration_ms")),
                exchanges: try row.json("exchanges", as: [ExchangeSummary].self)
            )
        }
    }

    // MARK: Dead letters

    public func deadLetters(tenant: String?, includeReplayed: Bool, limit: Int) async throws -> [DeadLetter] {
        var conditions = SQLConditions()
        if let tenant { conditions.add(.text(tenant)) { "tenant = \($0)" } }
        if !includeReplayed { conditions.add("replayed_at IS NULL") }
        let limit = conditions.limit(limit)
        return try await backend.query("SELECT * FROM dead_letters \(conditions.whereClause) ORDER BY created_at DESC \(limit)", conditions.binds).map(Self.deadLetter(from:))
    }

    public func deadLetter(id: String) async throws -> DeadLetter? {
        try await backend.query("SELECT * FROM dead_letters WHERE id = $1 OR job_id = $1 ORDER BY created_at DESC LIMIT 1", [.text(id)]).first.map(Self.deadLetter(from:))
    }

    static func deadLetter(from row: SQLRow) throws -> DeadLetter {
        DeadLetter(
            id: try row.string("id"),
            jobID: try row.string("job_id"),
            tenant: try row.string("tenant"),
            kind: try row.string("kind"),
            integrationID: row.optionalString("integration_id"),
            connectionID: row.optionalString("connection_id"),
            coalesceKey: row.optionalString("coalesce_key"),
            payload: try row.string("payload"),
            attempts: Int(try row.int("attempts")),
            error: try row.string("error"),
            errorKind: try row.string("error_kind"),
            createdAt: try row.time("created_at"),
            replayedAt: row.optionalTime("replayed_at"),
            replayJobID: row.optionalString("replay_job_id")
        )
    }
}
