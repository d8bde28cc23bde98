import Foundation
import Logging
import NIOCore
import PostgresNIO

/// PostgreSQL through a PostgresNIO connection pool; any number of server processes share it.
public final class PostgresBackend: SQLBackend {
    public let dialect = SQLDialect.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.runTask = Task { await client.run() }
    }

    /// Connects to `url` (`postgres://user:password@host:port/database`).
    public static func connect(url: String, logger baseLogger: Logger = Logger(label: "ml-connector.postgres")) async throws -> PostgresBackend {
        // PostgresNIO reports every connection attempt at info; an operator needs warnings only.
        var logger = baseLogger
        logger.logLevel = max(baseLogger.logLevel, .warning)
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw StoreError.unavailable("--database-url must look like postgres://user:password@host:5432/database")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let choice = try PostgresTLSChoice.from(query: components.queryItems ?? [])
        let tls = choice.clientTLS()
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
        configuration.options.maximumConnections = 8
        // One direct connection first: the pool retries an unreachable server for a long time,
        // while a person running a command deserves the reason at once.
        let probe = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres", password: components.password,
            database: database.isEmpty ? nil : database, tls: try choice.connectionTLS()
        )
        do {
            let connection = try await PostgresConnection.connect(configuration: probe, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw StoreError.unavailable("cannot reach PostgreSQL at \(host):\(components.port ?? 5432): \(Self.reason(error)); check --database-url and that the server is running")
        }
        let backend = PostgresBackend(client: PostgresClient(configuration: configuration, backgroundLogger: logger), logger: logger)
        do {
            try await backend.query("SELECT 1", [])
        } catch {
            await backend.close()
            throw StoreError.unavailable("cannot reach PostgreSQL at \(host):\(components.port ?? 5432): \(Self.reason(error))")
        }
        return backend
    }

    /// The server's own message when there is one; never the configuration (it holds the password).
    static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return String(describing: underlying) }
            return "\(psql.code)"
        }
        return String(describing: error)
    }

    @discardableResult
    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await client.withConnection { connection in
            try await Self.run(connection, sql, binds, logger: self.logger)
        }
    }

    public func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await transactionOnce(body)
            } catch where Self.isDeadlockOrSerializationFailure(error) && attempt < Self.deadlockAttempts {
                // PostgreSQL chose this transaction to break a deadlock (or a serialization
                // conflict) and rolled it back whole: nothing of it stands, so it runs again.
                // Group commits make transactions that touch many rows, where two of them may
                // take row locks in opposite orders.
                logger.debug("transaction rolled back by PostgreSQL to break a deadlock; running it again", metadata: ["attempt": "\(attempt)"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 * attempt))))
            }
        }
    }

    /// How many times a transaction runs before a deadlock is reported.
    static let deadlockAttempts = 5

    /// True for the errors that roll a transaction back so that it may simply run again:
    /// deadlock_detected (40P01) and serialization_failure (40001).
    static func isDeadlockOrSerializationFailure(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    private func transactionOnce<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            try await Self.run(connection, "BEGIN", [], logger: self.logger)
            do {
                let result = try await body(PooledPostgres(connection: connection, logger: self.logger))
                try await Self.run(connection, "COMMIT", [], logger: self.logger)
                return result
            } catch {
                _ = try? await Self.run(connection, "ROLLBACK", [], logger: self.logger)
                throw error
            }
        }
    }

    public func close() async {
        runTask.cancel()
        _ = await runTask.value
    }

    @discardableResult
    static func run(_ connection: PostgresConnection, _ sql: String, _ binds: [SQLValue], logger: Logger) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        var result: [SQLRow] = []
        for try await row in rows {
            var values: [String: SQLValue] = [:]
            for cell in row {
                values[cell.columnName.lowercased()] = try decode(cell)
            }
            result.append(SQLRow(values: values))
        }
        return result
    }

    private static func decode(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try cell.decode(Int64.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// The executor handed to a transaction body: the pooled connection the transaction runs on.
private struct PooledPostgres: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await PostgresBackend.run(connection, sql, binds, logger: logger)
    }
}
