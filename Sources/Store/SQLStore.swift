import ConnectorKit
import Foundation
import Logging
import NIOConcurrencyHelpers

/// The store over a SQL backend. The statements are shared; the backend (SQLite or
/// PostgreSQL) supplies the connection, the transactions and the few dialect differences.
public final class SQLStore: Store {
    /// The database.
    public let backend: any SQLBackend
    /// Seals and opens every stored secret.
    public let vault: Vault
    let redactor: SecretRedactor
    /// Counts this process's writes to webhook subscriptions (see `subscriptionChangeCount`).
    let subscriptionChanges = NIOLockedValueBox(0)

    /// Creates a store; call `migrate()` before use.
    public init(backend: any SQLBackend, vault: Vault, redactor: SecretRedactor = .shared) {
        self.backend = backend
        self.vault = vault
        self.redactor = redactor
    }

    /// Opens the embedded SQLite store in `dataDirectory` (created if needed) and migrates it.
    public static func openSQLite(dataDirectory: String, keyring: Keyring? = nil, logger: Logger = Logger(label: "ml-connector.store")) async throws -> SQLStore {
        try createDirectory(dataDirectory)
        let backend = try await SQLiteBackend.open(path: (dataDirectory as NSString).appendingPathComponent("ml-connector.sqlite"), logger: logger)
        let store = SQLStore(backend: backend, vault: Vault(keyring: try keyring ?? Keyring.load(dataDirectory: dataDirectory)))
        try await store.migrate()
        return store
    }

    /// Connects to PostgreSQL at `url` and migrates it; the key file, if used, is in `dataDirectory`.
    public static func openPostgres(url: String, dataDirectory: String, keyring: Keyring? = nil, logger: Logger = Logger(label: "ml-connector.store")) async throws -> SQLStore {
        let backend = try await PostgresBackend.connect(url: url, logger: logger)
        let resolvedKeyring: Keyring
        do {
            if let keyring {
                resolvedKeyring = keyring
            } else {
                try createDirectory(dataDirectory)
                resolvedKeyring = try Keyring.load(dataDirectory: dataDirectory)
            }
        } catch {
            await backend.close()
            throw error
        }
        let store = SQLStore(backend: backend, vault: Vault(keyring: resolvedKeyring))
        do {
            try await store.migrate()
        } catch {
            await backend.close()
            throw error
        }
        return store
    }

    /// Opens PostgreSQL when `databaseURL` is given, else SQLite in `dataDirectory`.
    public static func open(databaseURL: String?, dataDirectory: String, keyring: Keyring? = nil, logger: Logger = Logger(label: "ml-connector.store")) async throws -> SQLStore {
        if let databaseURL, !databaseURL.isEmpty {
            return try await openPostgres(url: databaseURL, dataDirectory: dataDirectory, keyring: keyring, logger: logger)
        }
        return try await openSQLite(dataDirectory: dataDirectory, keyring: keyring, logger: logger)
    }

    private static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.unavailable("cannot create the data directory \(path): \(error.localizedDescription); pass --data-dir with a writable path")
        }
    }

    @discardableResult
    public func migrate() async throws -> [Int] {
        try await Migrations.apply(on: backend)
    }

    public func schemaVersion() async throws -> (database: Int, known: Int) {
        (try await Migrations.currentVersion(backend), Migrations.latestVersion)
    }

    public func ping() async -> Bool {
        (try? await backend.query("SELECT 1 AS one", [])) != nil
    }

    public func close() async {
        await backend.close()
    }

    /// A fresh lower-case UUID.
    static func newID() -> String { UUID().uuidString.lowercased() }

    /// `$first, $first+1, …` for an IN list of `count` values.
    static func placeholders(from first: Int, count: Int) -> String {
        (first..<(first + count)).map { "$\($0)" }.joined(separator: ", ")
    }
}
