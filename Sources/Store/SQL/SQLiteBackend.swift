import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// The embedded SQLite database: one file in WAL mode, one connection, every statement
/// serialised. Other processes (the CLI beside a running server) wait on SQLite's own lock.
public final class SQLiteBackend: SQLBackend {
    public let dialect = SQLDialect.sqlite
    private let connection: SQLiteConnection
    private let lock = AsyncLock()

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, logger: Logger = Logger(label: "ml-connector.sqlite")) async throws -> SQLiteBackend {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw StoreError.unavailable("cannot open SQLite database \(path): \(error)")
        }
        // The file holds sealed secrets and business records: owner only, like the key file.
        _ = chmod(path, 0o600)
        let backend = SQLiteBackend(connection: connection)
        // WAL lets readers in other processes work while we write; busy_timeout makes a second
        // process wait for the lock instead of failing at once.
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=15000", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"] {
            try await backend.query(pragma, [])
        }
        return backend
    }

    @discardableResult
    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await lock.withLock { [connection] in
            try await Self.run(connection, sql, binds)
        }
    }

    public func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
        try await lock.withLock { [connection] in
            let executor = LockedSQLite(connection: connection)
            try await Self.run(connection, "BEGIN IMMEDIATE", [])
            do {
                let result = try await body(executor)
                try await Self.run(connection, "COMMIT", [])
                return result
            } catch {
                _ = try? await Self.run(connection, "ROLLBACK", [])
                throw error
            }
        }
    }

    public func close() async {
        try? await connection.close()
    }

    /// Runs one statement on the connection; the caller holds the lock.
    @discardableResult
    static func run(_ connection: SQLiteConnection, _ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let statement = sqliteParameters(sql)
        let data = binds.map { value -> SQLiteData in
            switch value {
            case .null: .null
            case .int(let number): .integer(Int(number))
            case .text(let text): .text(text)
            case .blob(let bytes): .blob(ByteBuffer(bytes: bytes))
            }
        }
        let rows = try await connection.query(statement, data)
        return rows.map { row in
            var values: [String: SQLValue] = [:]
            for column in row.columns {
                let value: SQLValue = switch column.data {
                case .integer(let number): .int(Int64(number))
                case .float(let number): .int(Int64(number))
                case .text(let text): .text(text)
                case .blob(let buffer): .blob(Array(buffer.readableBytesView))
                case .null: .null
                }
                values[column.name.lowercased()] = value
            }
            return SQLRow(values: values)
        }
    }
}

/// The statement with PostgreSQL's `$1` placeholders written as SQLite's numbered `?1`: one
/// scan of the bytes, on every statement (a regular expression here cost a tenth of the
/// webhook ingest's CPU).
func sqliteParameters(_ sql: String) -> String {
    let bytes = Array(sql.utf8)
    guard bytes.contains(UInt8(ascii: "$")) else { return sql }
    var out = bytes
    for index in out.indices where out[index] == UInt8(ascii: "$") && index + 1 < out.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(out[index + 1]) {
        out[index] = UInt8(ascii: "?")
    }
    return String(decoding: out, as: UTF8.self)
}

/// The executor handed to a transaction body: it runs on the connection whose lock the
/// transaction already holds.
private struct LockedSQLite: SQLExecutor {
    let connection: SQLiteConnection

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await SQLiteBackend.run(connection, sql, binds)
    }
}
