import ConnectorKit
import Foundation

extension SQLStore {
    public func saveIntegration(_ integration: IntegrationRecord) async throws {
        try Identifier.validate(integration.id, field: "integration name")
        try Identifier.validate(integration.tenant, field: "tenant")
        let dialect = backend.dialect
        try await backend.transaction { db in
            for (role, connectionID) in integration.connections.sorted(by: { $0.key < $1.key }) {
                if try await db.query("SELECT id FROM connections WHERE id = $1", [.text(connectionID)]).isEmpty {
                    throw StoreError.notFound("connections.\(role): connection \(connectionID) does not exist; add it with ml-connector connection add")
                }
            }
            let existing = try await db.query("SELECT created_at FROM integrations WHERE id = $1", [.text(integration.id)]).first
            if existing == nil {
                try await db.query(
                    "INSERT INTO integrations (id, tenant, kind, config, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    [.text(integration.id), .text(integration.tenant), .text(integration.kind), .text(integration.config), .text(integration.state.rawValue), .time(integration.createdAt), .time(Date())]
                )
            } else {
                try await db.query(
                    "UPDATE integrations SET tenant = $2, kind = $3, config = $4, state = $5, updated_at = $6 WHERE id = $1",
                    [.text(integration.id), .text(integration.tenant), .text(integration.kind), .text(integration.config), .text(integration.state.rawValue), .time(Date())]
                )
                try await db.query("DELETE FROM integration_connections WHERE integration_id = $1", [.text(integration.id)])
            }
            for (role, connectionID) in integration.connections {
                try await db.query("INSERT INTO integration_connections (integration_id, role, connection_id) VALUES ($1, $2, $3)", [.text(integration.id), .text(role), .text(connectionID)])
            }
            try await Self.markHeldJobs(integrationID: integration.id, in: db, dialect: dialect)
        }
    }

    public func integration(id: String) async throws -> IntegrationRecord? {
        try await integrations(from: try await backend.query("SELECT * FROM integrations WHERE id = $1", [.text(id)])).first
    }

    public func integrations(tenant: String?) async throws -> [IntegrationRecord] {
        let rows = if let tenant {
            try await backend.query("SELECT * FROM integrations WHERE tenant = $1 ORDER BY id", [.text(tenant)])
        } else {
            try await backend.query("SELECT * FROM integrations ORDER BY tenant, id", [])
        }
        return try await integrations(from: rows)
    }

    public func integrations(usingConnection connectionID: String) async throws -> [IntegrationRecord] {
        let rows = try await backend.query(
            "SELECT DISTINCT i.* FROM integrations i JOIN integration_connections c ON c.integration_id = i.id WHERE c.connection_id = $1 ORDER BY i.id",
            [.text(connectionID)]
        )
        return try await integrations(from: rows)
    }

    public func setIntegrationState(id: String, state: IntegrationState) async throws {
        let dialect = backend.dialect
        try await backend.transaction { db in
            let rows = try await db.query("UPDATE integrations SET state = $2, updated_at = $3 WHERE id = $1 RETURNING id", [.text(id), .text(state.rawValue), .time(Date())])
            if rows.isEmpty { throw StoreError.notFound("integration \(id)") }
            try await Self.markHeldJobs(integrationID: id, in: db, dialect: dialect)
        }
    }

    public func removeIntegration(id: String) async throws {
        let dialect = backend.dialect
        try await backend.transaction { db in
            let rows = try await db.query("DELETE FROM integrations WHERE id = $1 RETURNING id", [.text(id)])
            if rows.isEmpty { throw StoreError.notFound("integration \(id)") }
            // Its held jobs become claimable, and their handler dead-letters each one, saying
            // the integration no longer exists; left held, they would wait for ever, unseen.
            try await Self.markHeldJobs(integrationID: id, in: db, dialect: dialect)
        }
    }

    /// The integrations of `rows`, with their connections read in one more query, not one per
    /// integration (the webhook ingress routes every delivery through these).
    private func integrations(from rows: [SQLRow]) async throws -> [IntegrationRecord] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.string("id") }
        var connections: [String: [String: String]] = [:]
        for link in try await backend.query(
            "SELECT integration_id, role, connection_id FROM integration_connections WHERE integration_id IN (\(Self.placeholders(from: 1, count: ids.count)))",
            ids.map { .text($0) }
        ) {
            connections[try link.string("integration_id"), default: [:]][try link.string("role")] = try link.string("connection_id")
        }
        return try zip(rows, ids).map { row, id in try Self.integration(from: row, id: id, connections: connections[id] ?? [:]) }
    }

    private static func integration(from row: SQLRow, id: String, connections: [String: String]) throws -> IntegrationRecord {
        IntegrationRecord(
            id: id,
            tenant: try row.string("tenant"),
            kind: try row.string("kind"),
            connections: connections,
            config: try row.string("config"),
            state: IntegrationState(rawValue: try row.string("state")) ?? .paused,
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at")
        )
    }

    // MARK: Links and cursors

    public func links(integrationID: String, source: ExternalRef) async throws -> [Link] {
        try await backend.query("SELECT * FROM links WHERE integration_id = $1 AND source_ref = $2 ORDER BY target_ref", [.text(integrationID), .text(source.description)])
            .map(Self.link(from:))
    }

    public func links(integrationID: String, target: ExternalRef) async throws -> [Link] {
        try await backend.query("SELECT * FROM links WHERE integration_id = $1 AND target_ref = $2 ORDER BY source_ref", [.text(integrationID), .text(target.description)])
            .map(Self.link(from:))
    }

    public func links(integrationID: String) async throws -> [Link] {
        try await backend.query("SELECT * FROM links WHERE integration_id = $1 ORDER BY source_ref, target_ref", [.text(integrationID)])
            .map(Self.link(from:))
    }

    public func cursor(connectionID: String, feed: String) async throws -> String? {
        try await backend.query("SELECT value FROM cursors WHERE connection_id = $1 AND feed = $2", [.text(connectionID), .text(feed)]).first?.optionalString("value")
    }

    public func apply(_ writes: [StoreWrite]) async throws {
        guard !writes.isEmpty else { return }
        let dialect = backend.dialect
        try await backend.transaction { db in
            try await Self.apply(writes, in: db, dialect: dialect)
        }
    }

    /// Applies writes inside an open transaction.
    static func apply(_ writes: [StoreWrite], in db: any SQLExecutor, dialect: SQLDialect) async throws {
        // A run of enqueues (a poll's changes) goes in one statement; other writes keep their place.
        var queued: [JobRequest] = []
        for write in writes {
            if case .enqueue(let request) = write {
                queued.append(request)
                continue
            }
            try await enqueue(batch: queued, in: db, dialect: dialect)
            queued.removeAll()
            try await apply(write, in: db, dialect: dialect)
        }
        try await enqueue(batch: queued, in: db, dialect: dialect)
    }

    /// Applies one write inside an open transaction.
    private static func apply(_ write: StoreWrite, in db: any SQLExecutor, dialect: SQLDialect) async throws {
        switch write {
        case .enqueue(let request):
            _ = try await enqueue(request, in: db, dialect: dialect)
        case .setCursor(let connectionID, let feed, let value):
            try await db.query(
                "INSERT INTO cursors (connection_id, feed, value, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (connection_id, feed) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [.text(connectionID), .text(feed), .text(value), .time(Date())]
            )
        case .upsertLink(let link):
            try await db.query(
                """
                INSERT INTO links (integration_id, source_ref, target_ref, content_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (integration_id, source_ref, target_ref) DO UPDATE SET content_hash = excluded.content_hash, updated_at = excluded.updated_at
                """,
                [.text(link.integrationID), .text(link.source.description), .text(link.target.description), .text(link.contentHash), .time(link.createdAt), .time(link.updatedAt)]
            )
        case .removeLink(let integrationID, let source, let target):
            try await db.query("DELETE FROM links WHERE integration_id = $1 AND source_ref = $2 AND target_ref = $3", [.text(integrationID), .text(source.description), .text(target.description)])
        case .appendAudit(let entry):
            try await appendAudit(entry, in: db)
        case .closeIntent(let integrationID, let key, let targetRef):
            try await closeIntent(integrationID: integrationID, key: key, targetRef: targetRef, in: db)
        }
    }

    static func link(from row: SQLRow) throws -> Link {
        guard let source = ExternalRef(parsing: try row.string("source_ref")), let target = ExternalRef(parsing: try row.string("target_ref")) else {
            throw StoreError.corrupt("link refs are not system:type:id")
        }
        return Link(
            integrationID: try row.string("integration_id"),
            source: source,
            target: target,
            contentHash: try row.string("content_hash"),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at")
        )
    }
}
