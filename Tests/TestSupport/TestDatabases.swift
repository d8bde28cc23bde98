import ConnectorKit
import Crypto
import Foundation
import Store

/// The databases a test can run on: SQLite always, PostgreSQL when
/// `ML_CONNECTOR_TEST_POSTGRES_URL` is set (CI always sets it).
public enum TestDatabase: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The PostgreSQL server tests may use.
    public static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["ML_CONNECTOR_TEST_POSTGRES_URL"]
        return url?.isEmpty == false ? url : nil
    }

    /// True when PostgreSQL tests run.
    public static var postgresAvailable: Bool { postgresURL != nil }

    /// The databases available here.
    public static var available: [TestDatabase] { postgresAvailable ? [.sqlite, .postgres] : [.sqlite] }

    public var description: String { rawValue }

    /// One master key for the whole test process, so that drill processes given it in
    /// `ML_CONNECTOR_MASTER_KEY` open what the test sealed.
    public static let masterKey: String = {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0).base64EncodedString() }
    }()

    /// The keyring of `masterKey`.
    public static func keyring() throws -> Keyring {
        try Keyring.load(environment: ["ML_CONNECTOR_MASTER_KEY": masterKey], dataDirectory: "/nonexistent")
    }

    /// A fresh, migrated, empty store, and where its files live.
    public func makeStore() async throws -> TestStore {
        let directory = try TestDatabase.temporaryDirectory()
        switch self {
        case .sqlite:
            return TestStore(store: try await SQLStore.openSQLite(dataDirectory: directory, keyring: try TestDatabase.keyring()), dataDirectory: directory, databaseURL: nil)
        case .postgres:
            let url = try await TestDatabase.freshPostgresDatabase()
            return TestStore(store: try await SQLStore.openPostgres(url: url, dataDirectory: directory, keyring: try TestDatabase.keyring()), dataDirectory: directory, databaseURL: url)
        }
    }

    /// A fresh store for `body`, closed before this returns, also when `body` throws.
    public func withStore<Value>(isolation: isolated (any Actor)? = #isolation, _ body: (SQLStore) async throws -> Value) async throws -> Value {
        try await withTestStore { try await body($0.store) }
    }

    /// `withStore`, for a test that also needs where the store lives (to point a process at it).
    public func withTestStore<Value>(isolation: isolated (any Actor)? = #isolation, _ body: (TestStore) async throws -> Value) async throws -> Value {
        try await withStarted({ try await makeStore() }, stop: { await $0.store.close() }, body)
    }

    /// A new empty directory in this test process's scratch directory (removed when the
    /// process exits).
    public static func temporaryDirectory() throws -> String {
        let path = (TestScratch.root as NSString).appendingPathComponent("store-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Creates a new database on the test server and returns its URL, so that tests running
    /// in parallel never share a queue.
    public static func freshPostgresDatabase() async throws -> String {
        guard let base = postgresURL, var components = URLComponents(string: base) else {
            throw StoreError.unavailable("ML_CONNECTOR_TEST_POSTGRES_URL is not set")
        }
        await droppedDeadRunsDatabases.value
        let name = "mlc_test_\(getpid())_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
        let admin = try await PostgresBackend.connect(url: base)
        do {
            try await admin.query("CREATE DATABASE \(name)", [])
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        components.path = "/\(name)"
        return components.string!
    }
}

extension TestDatabase {
    /// Drops, once per test process, the databases earlier test processes on this machine made
    /// and left (a test database is named after its process: `mlc_test_<pid>_<random>`), so
    /// repeated runs against one server do not fill its disk. A database still in use, or of
    /// a process still running, is left alone; names of the older `mlc_test_<random>` form are
    /// all from finished runs.
    static let droppedDeadRunsDatabases = Task<Void, Never> {
        guard let base = postgresURL, let admin = try? await PostgresBackend.connect(url: base) else { return }
        let rows = (try? await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'mlc\\_test\\_%'", [])) ?? []
        for row in rows {
            guard case .text(let name)? = row.values["datname"], TestScratch.belongsToDeadRun(databaseName: name) else { continue }
            _ = try? await admin.query("DROP DATABASE IF EXISTS \(name)", [])
        }
        await admin.close()
    }
}

/// A store made for one test.
public struct TestStore: Sendable {
    /// The store.
    public var store: SQLStore
    /// Its data directory (the SQLite file lives here).
    public var dataDirectory: String
    /// Its PostgreSQL URL, when on PostgreSQL.
    public var databaseURL: String?

    /// The arguments that point a drill or CLI process at the same store.
    public var processArguments: [String] {
        ["--data-dir", dataDirectory] + (databaseURL.map { ["--database-url", $0] } ?? [])
    }
}
