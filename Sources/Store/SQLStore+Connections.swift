import ConnectorKit
import Foundation

extension SQLStore {
    public func addConnection(_ connection: Connection, credential: Credential) async throws {
        try Identifier.validate(connection.id, field: "connection id")
        try Identifier.validate(connection.tenant, field: "tenant")
        let envelope = try vault.seal(json: credential, context: Self.credentialContext(connection.id))
        let keyID = vault.keyID(of: envelope) ?? ""
        redactor.register(credential)
        try await backend.transaction { db in
            if try await !db.query("SELECT id FROM connections WHERE id = $1", [.text(connection.id)]).isEmpty {
                throw StoreError.duplicate("connection \(connection.id); choose another id or remove it first")
            }
            try await db.query(
                "INSERT INTO connections (id, tenant, system, display_name, base_urls, account_ref, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                [.text(connection.id), .text(connection.tenant), .text(connection.system.rawValue), .text(connection.displayName), .text(try jsonText(connection.baseURLs)),
                 .text(connection.accountRef), .text(try jsonText(connection.settings)), .time(connection.createdAt), .time(connection.updatedAt)]
            )
            try await db.query(
                "INSERT INTO credentials (connection_id, envelope, key_id, version, updated_at) VALUES ($1, $2, $3, 1, $4)",
                [.text(connection.id), .text(envelope), .text(keyID), .time(Date())]
            )
        }
    }

    public func connection(id: String) async throws -> Connection? {
        try await backend.query("SELECT * FROM connections WHERE id = $1", [.text(id)]).first.map(Self.connection(from:))
    }

    public func connection(system: SystemKind, accountRef: String) async throws -> Connection? {
        try await backend.query("SELECT * FROM connections WHERE system = $1 AND account_ref = $2 ORDER BY created_at LIMIT 1", [.text(system.rawValue), .text(accountRef)])
            .first.map(Self.connection(from:))
    }

    public func connections(tenant: String?) async throws -> [Connection] {
        let rows = if let tenant {
            try await backend.query("SELECT * FROM connections WHERE tenant = $1 ORDER BY id", [.text(tenant)])
        } else {
            try await backend.query("SELECT * FROM connections ORDER BY tenant, id", [])
        }
        return try rows.map(Self.connection(from:))
    }

    public func updateConnection(_ connection: Connection) async throws {
        let rows = try await backend.query(
            "UPDATE connections SET display_name = $2, base_urls = $3, account_ref = $4, settings = $5, updated_at = $6 WHERE id = $1 RETURNING id",
            [.text(connection.id), .text(connection.displayName), .text(try jsonText(connection.baseURLs)), .text(connection.accountRef), .text(try jsonText(connection.settings)), .time(Date())]
        )
        if rows.isEmpty { throw StoreError.notFound("connection \(connection.id)") }
    }

    public func removeConnection(id: String) async throws {
        try await backend.transaction { db in
            let users = try await db.query("SELECT integration_id FROM integration_connections WHERE connection_id = $1 ORDER BY integration_id", [.text(id)])
            if !users.isEmpty {
                let names = try users.map { try $0.string("integration_id") }.joined(separator: ", ")
                throw StoreError.refused("connection \(id) is used by integration \(names); remove or re-point the integration first")
            }
            let removed = try await db.query("DELETE FROM connections WHERE id = $1 RETURNING id", [.text(id)])
            if removed.isEmpty { throw StoreError.notFound("connection \(id)") }
        }
        // Its subscriptions went with it (ON DELETE CASCADE).
        subscriptionsChanged()
    }

    // MARK: Credentials (CredentialSource)

    public func credential(for connectionID: String) async throws -> VersionedCredential {
        guard let row = try await backend.query("SELECT envelope, version FROM credentials WHERE connection_id = $1", [.text(connectionID)]).first else {
            throw ConnectorError.unauthorized("connection \(connectionID) has no stored credential; add the connection again")
        }
        let credential = try vault.open(json: try row.string("envelope"), as: Credential.self, context: Self.credentialContext(connectionID))
        redactor.register(credential)
        return VersionedCredential(credential: credential, version: try row.int("version"))
    }

    @discardableResult
    public func saveCredential(_ credential: Credential, for connectionID: String) async throws -> Int64 {
        let envelope = try vault.seal(json: credential, context: Self.credentialContext(connectionID))
        redactor.register(credential)
        let rows = try await backend.query(
            "UPDATE credentials SET envelope = $1, key_id = $2, version = version + 1, updated_at = $3 WHERE connection_id = $4 RETURNING version",
            [.text(envelope), .text(vault.keyID(of: envelope) ?? ""), .time(Date()), .text(connectionID)]
        )
        guard let version = rows.first?.optionalInt("version") else { throw StoreError.notFound("connection \(connectionID)") }
        return version
    }

    // MARK: Key rotation

    /// A column of sealed secrets: its table, key, envelope and key-id columns, and the context
    /// its envelopes were sealed for.
    private struct SealedColumn: Sendable {
        var table: String
        var id: String
        var envelope: String
        var keyID: String
        var context: @Sendable (String) -> String
    }

    private static let sealedColumns = [
        SealedColumn(table: "credentials", id: "connection_id", envelope: "envelope", keyID: "key_id", context: credentialContext),
        SealedColumn(table: "webhook_subscriptions", id: "id", envelope: "secret_envelope", keyID: "secret_key_id", context: subscriptionContext),
    ]

    public func resealSecrets() async throws -> Int {
        let active = vault.keyring.activeKeyID
        var count = 0
        for column in Self.sealedColumns {
            let rows = try await backend.query(
                "SELECT \(column.id) AS id, \(column.envelope) AS envelope FROM \(column.table) WHERE \(column.envelope) IS NOT NULL AND \(column.keyID) <> $1", [.text(active)]
            )
            for row in rows {
                let id = try row.string("id")
                let old = try row.string("envelope")
                let new = try vault.reseal(old, context: column.context(id))
                // Compare-and-swap on the envelope: a refresh that wrote meanwhile already used the new key.
                let updated = try await backend.query(
                    "UPDATE \(column.table) SET \(column.envelope) = $1, \(column.keyID) = $2 WHERE \(column.id) = $3 AND \(column.envelope) = $4 RETURNING \(column.id)",
                    [.text(new), .text(active), .text(id), .text(old)]
                )
                count += updated.count
            }
        }
        return count
    }

    public func sealingKeys() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for column in Self.sealedColumns {
            let rows = try await backend.query("SELECT \(column.keyID) AS key_id, COUNT(*) AS n FROM \(column.table) WHERE \(column.keyID) IS NOT NULL GROUP BY \(column.keyID)", [])
            for row in rows {
                counts[try row.string("key_id"), default: 0] += Int(try row.int("n"))
            }
        }
        return counts
    }

    static func credentialContext(_ connectionID: String) -> String { "credential:\(connectionID)" }
    static func subscriptionContext(_ subscriptionID: String) -> String { "webhook-secret:\(subscriptionID)" }

    static func connection(from row: SQLRow) throws -> Connection {
        Connection(
            id: try row.string("id"),
            tenant: try row.string("tenant"),
            system: SystemKind(try row.string("system")),
            displayName: try row.string("display_name"),
            baseURLs: try row.json("base_urls", as: [String: String].self),
            accountRef: row.optionalString("account_ref"),
            settings: try row.json("settings", as: [String: String].self),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at")
        )
    }
}
