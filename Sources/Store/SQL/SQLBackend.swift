/// Runs statements. Placeholders are written `$1, $2…` for both backends.
public protocol SQLExecutor: Sendable {
    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

/// A database the store can run on: SQLite or PostgreSQL.
public protocol SQLBackend: SQLExecutor {
    /// The SQL differences between backends.
    var dialect: SQLDialect { get }

    /// Runs `body` in one transaction that takes the write lock up front; commits when it
    /// returns, rolls back when it throws. `body` may run more than once (PostgreSQL rolls a
    /// deadlock's victim back, and it runs again), so it does database work only: no vendor
    /// call, nothing sent, no state kept outside it.
    func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result

    /// Closes the database.
    func close() async
}

/// The differences between the two SQL dialects that the store's statements need.
public struct SQLDialect: Sendable {
    /// `sqlite` or `postgres`.
    public var name: String
    /// Appended to a SELECT that locks the rows it reads ("" on SQLite, whose transactions
    /// already hold the database write lock).
    public var forUpdate: String
    /// Appended to a SELECT that claims rows other claimers must skip.
    public var forUpdateSkipLocked: String
    /// The two-argument minimum function.
    public var least: String
    /// The auto-increment primary key column type.
    public var serialPrimaryKey: String

    /// Appended to a SELECT that must wait for, and then see, a concurrent update of the rows it
    /// reads, without blocking other readers that do the same ("" on SQLite, whose writers are
    /// already serialised).
    public var forShare: String
    /// True where a search must name its index: SQLite's planner, with no statistics, picks an
    /// index by its leading column and then sorts every row it matched. PostgreSQL plans from
    /// statistics it keeps itself, and has no such clause.
    public var namesIndexes: Bool

    /// Written after a table's name where `index` must serve the search (`INDEXED BY`, which
    /// fails loudly if the index cannot be used), or nothing where the dialect does not name them.
    public func indexedBy(_ index: String) -> String {
        namesIndexes ? " INDEXED BY \(index)" : ""
    }

    /// SQLite.
    public static let sqlite = SQLDialect(name: "sqlite", forUpdate: "", forUpdateSkipLocked: "", least: "MIN", serialPrimaryKey: "INTEGER PRIMARY KEY AUTOINCREMENT",
                                         forShare: "", namesIndexes: true)
    /// PostgreSQL.
    public static let postgres = SQLDialect(name: "postgres", forUpdate: " FOR UPDATE", forUpdateSkipLocked: " FOR UPDATE SKIP LOCKED", least: "LEAST", serialPrimaryKey: "BIGSERIAL PRIMARY KEY",
                                           forShare: " FOR SHARE", namesIndexes: false)
}
