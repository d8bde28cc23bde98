import ConnectorKit
import Foundation

extension SQLStore {
    public func saveSubscription(_ subscription: WebhookSubscription, secret: String?) async throws {
        var envelope: String?
        if let secret {
            redactor.register([secret])
            envelope = try vault.seal(Data(secret.utf8), context: Self.subscriptionContext(subscription.id))
        }
        let keyID = envelope.flatMap(vault.keyID(of:))
        try await backend.query(
            """
            INSERT INTO webhook_subscriptions (id, tenant, system, connection_id, integration_id, external_id, resource, status, secret_envelope, secret_key_id,
                                               metadata, last_delivery_at, last_heartbeat_at, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (id) DO UPDATE SET
                connection_id = excluded.connection_id, integration_id = excluded.integration_id, external_id = excluded.external_id,
                resource = excluded.resource, status = excluded.status,
                secret_envelope = COALESCE(excluded.secret_envelope, webhook_subscriptions.secret_envelope),
                secret_key_id = COALESCE(excluded.secret_key_id, webhook_subscriptions.secret_key_id),
                metadata = excluded.metadata, last_delivery_at = excluded.last_delivery_at, last_heartbeat_at = excluded.last_heartbeat_at,
                updated_at = excluded.updated_at
            """,
            [.text(subscription.id), .text(subscription.tenant), .text(subscription.system.rawValue), .text(subscription.connectionID), .text(subscription.integrationID),
             .text(subscription.externalID), .text(subscription.resource), .text(subscription.status.rawValue), .text(envelope), .text(keyID),
             .text(try jsonText(subscription.metadata)), .time(subscription.lastDeliveryAt), .time(subscription.lastHeartbeatAt), .time(subscription.createdAt), .time(Date())]
        )
        subscriptionsChanged()
    }

    public func setSubscriptionSecret(id: String, secret: String, status: SubscriptionStatus) async throws {
        redactor.register([secret])
        let envelope = try vault.seal(Data(secret.utf8), context: Self.subscriptionContext(id))
        let rows = try await backend.query(
            "UPDATE webhook_subscriptions SET secret_envelope = $1, secret_key_id = $2, status = $3, updated_at = $4 WHERE id = $5 RETURNING id",
            [.text(envelope), .text(vault.keyID(of: envelope)), .text(status.rawValue), .time(Date()), .text(id)]
        )
        subscriptionsChanged()
        if rows.isEmpty { throw StoreError.notFound("webhook subscription \(id)") }
    }

    public func updateSubscription(id: String, status: SubscriptionStatus?, externalID: String?) async throws {
        let rows = try await backend.query(
            "UPDATE webhook_subscriptions SET status = COALESCE($1, status), external_id = COALESCE($2, external_id), updated_at = $3 WHERE id = $4 RETURNING id",
            [.text(status?.rawValue), .text(externalID), .time(Date()), .text(id)]
        )
        subscriptionsChanged()
        if rows.isEmpty { throw StoreError.notFound("webhook subscription \(id)") }
    }

    public func recordHeartbeat(id: String, at: Date) async throws {
        try await backend.query("UPDATE webhook_subscriptions SET last_heartbeat_at = $1, last_delivery_at = $1 WHERE id = $2", [.time(at), .text(id)])
    }

    public func subscription(id: String) async throws -> WebhookSubscription? {
        try await backend.query("SELECT * FROM webhook_subscriptions WHERE id = $1", [.text(id)]).first.map(Self.subscription(from:))
    }

    public func subscriptionSecret(id: String) async throws -> String? {
        guard let envelope = try await backend.query("SELECT secret_envelope FROM webhook_subscriptions WHERE id = $1", [.text(id)]).first?.optionalString("secret_envelope") else {
            return nil
        }
        return try openSecret(envelope, context: Self.subscriptionContext(id))
    }

    public func liveSubscriptionsWithSecrets() async throws -> [(subscription: WebhookSubscription, secret: String?)] {
        let rows = try await backend.query("SELECT * FROM webhook_subscriptions WHERE status <> $1 ORDER BY created_at", [.text(SubscriptionStatus.deleted.rawValue)])
        return try rows.map { row in
            let subscription = try Self.subscription(from: row)
            return (subscription, try row.optionalString("secret_envelope").map { try openSecret($0, context: Self.subscriptionContext(subscription.id)) })
        }
    }

    /// A webhook secret (confirmed or candidate) opened, and known to the redactor from now on.
    func openSecret(_ envelope: String, context: String) throws -> String {
        let secret = String(decoding: try vault.open(envelope, context: context), as: UTF8.self)
        redactor.register([secret])
        return secret
    }

    public func subscriptions(connectionID: String?) async throws -> [WebhookSubscription] {
        let rows = if let connectionID {
            try await backend.query("SELECT * FROM webhook_subscriptions WHERE connection_id = $1 ORDER BY created_at", [.text(connectionID)])
        } else {
            try await backend.query("SELECT * FROM webhook_subscriptions ORDER BY created_at", [])
        }
        return try rows.map(Self.subscription(from:))
    }

    public func removeSubscription(id: String) async throws {
        try await backend.query("DELETE FROM webhook_subscriptions WHERE id = $1", [.text(id)])
        subscriptionsChanged()
    }

    // MARK: Inbox

    public func ingest(_ items: [InboxItem]) async throws -> [InboxItem] {
        guard !items.isEmpty else { return [] }
        let dialect = backend.dialect
        return try await backend.transaction { db in
            let now = Date()
            var inserted = Set<InboxKey>()
            // One multi-row statement per chunk instead of one per item: a group-committed
            // batch of deliveries is one round trip, not hundreds.
            // Rows go in key order, so two processes writing overlapping batches take the
            // unique index's locks in one order and cannot deadlock on PostgreSQL.
            let ordered = items.sorted { ByteOrder.precedes(($0.system.rawValue.utf8, $0.event.eventID.utf8), ($1.system.rawValue.utf8, $1.event.eventID.utf8)) }
            for chunk in ordered.statementChunks(maximum: Self.inboxRowsPerStatement) {
                let list = ValuesList(chunk, width: 6) { item in
                    [.text(item.system.rawValue), .text(item.event.eventID), .text(item.subscriptionID), .text(item.event.connectionID), .text(item.event.ref.description), .time(now)]
                }
                let returned = try await db.query(
                    "INSERT INTO inbox (system, event_id, subscription_id, connection_id, ref, received_at) VALUES \(list.sql) ON CONFLICT (system, event_id) DO NOTHING RETURNING system, event_id",
                    list.binds
                )
                for row in returned { inserted.insert(InboxKey(system: try row.string("system"), eventID: try row.string("event_id"))) }
            }
            // The first item of each inserted key is the one that was new; a repeat of it later
            // in the same batch met the conflict.
            var fresh: [InboxItem] = []
            for item in items where inserted.remove(InboxKey(system: item.system.rawValue, eventID: item.event.eventID)) != nil {
                fresh.append(item)
            }
            try await Self.enqueue(batch: fresh.flatMap(\.jobs), in: db, dialect: dialect)
            var seen = Set<String>()
            for subscriptionID in items.compactMap(\.subscriptionID) where seen.insert(subscriptionID).inserted {
                try await db.query("UPDATE webhook_subscriptions SET last_delivery_at = $1 WHERE id = $2", [.time(now), .text(subscriptionID)])
            }
            return fresh
        }
    }

    /// Most inbox rows per INSERT: six values each, well under SQLite's 32,766 bound values.
    static let inboxRowsPerStatement = 512

    /// An inbox row's identity, compared byte for byte as the database compares it: with
    /// `String` equality, two event ids that differ only in Unicode normalisation were two rows
    /// but one key here, and the second delivery's jobs were never enqueued.
    private struct InboxKey: Hashable {
        var system: [UInt8]
        var eventID: [UInt8]

        init(system: String, eventID: String) {
            self.system = Array(system.utf8)
            self.eventID = Array(eventID.utf8)
        }
    }

    static func subscription(from row: SQLRow) throws -> WebhookSubscription {
        WebhookSubscription(
            id: try row.string("id"),
            tenant: try row.string("tenant"),
            system: SystemKind(try row.string("system")),
            connectionID: row.optionalString("connection_id"),
            integrationID: row.optionalString("integration_id"),
            externalID: row.optionalString("external_id"),
            resource: row.optionalString("resource"),
            status: SubscriptionStatus(rawValue: try row.string("status")) ?? .pending,
            metadata: try row.json("metadata", as: [String: String].self),
            lastDeliveryAt: row.optionalTime("last_delivery_at"),
            lastHeartbeatAt: row.optionalTime("last_heartbeat_at"),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at")
        )
    }
}
