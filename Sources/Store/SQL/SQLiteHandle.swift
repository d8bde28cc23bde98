import Foundation
import VaporCSQLite

/// One SQLite database handle, driven through SQLite's C API on the calling thread, with its
/// prepared statements kept for reuse.
///
/// Not thread-safe on its own: `SQLiteBackend` holds its lock around every use, so one task at
/// a time steps a statement. Statements are short (the store's are indexed look-ups and single
/// row writes), so running them inline costs less than handing each to a thread pool and back,
/// which was most of the queue's time per job.
final class SQLiteHandle: @unchecked Sendable {
    /// The most statements kept prepared. The store's statements are a few dozen texts; the
    /// batch statements (a multi-row INSERT whose row count varies) add a few more. Past this the
    /// cache starts again, so no text from outside can grow it without bound.
    static let cachedStatementLimit = 256
    /// The longest text the cache keeps. A longer one (a batch INSERT of hundreds of rows) is
    /// a large program: only the last of them is kept, beside the cache, which serves the run of
    /// full 500-row chunks of one big batch without holding every batch size ever seen.
    static let cachedTextLimit = 8_192

    /// How many statements are kept prepared now.
    var cachedStatementCount: Int { cache.count }

    private let db: OpaquePointer
    private var cache: [String: OpaquePointer] = [:]
    /// The last text past `cachedTextLimit`, prepared.
    private var lastLong: (sql: String, statement: OpaquePointer)?
    /// Set by `close()`: the handle is freed, and every later use is refused, not run.
    private var closed = false

    private init(db: OpaquePointer) {
        self.db = db
    }

    /// Opens (creating if needed) the database file at `path`.
    static func open(path: String) throws -> SQLiteHandle {
        _ = sqliteInitialized
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? String(cString: sqlite_nio_sqlite3_errstr(status))
            if let db { sqlite_nio_sqlite3_close_v2(db) }
            throw SQLiteFailure(code: status, message: message)
        }
        return SQLiteHandle(db: db)
    }

    /// Runs one statement with `binds` for `$1, $2…` and returns its rows. A statement that
    /// finds the database locked by another process answers `SQLiteFailure` with `isBusy`, having
    /// changed nothing, so the caller may run it again.
    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        guard !closed else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the database is closed") }
        let statement = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        try bind(binds, to: statement)
        let columnCount = sqlite_nio_sqlite3_column_count(statement)
        var names: [String] = []
        var rows: [SQLRow] = []
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else { throw failure(status) }
            if names.isEmpty && columnCount > 0 {
                names = (0..<columnCount).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)).lowercased() }
            }
            var values: [String: SQLValue] = Dictionary(minimumCapacity: Int(columnCount))
            for column in 0..<columnCount {
                values[names[Int(column)]] = value(of: statement, at: column)
            }
            rows.append(SQLRow(values: values))
        }
    }

    /// How many times SQLite has prepared a kept statement again since it was first prepared,
    /// by statement text: a statement whose plan depends on a bound value (a bound LIMIT in a
    /// subquery, say) is prepared anew on every run, which the cache exists to avoid.
    func reprepareCounts() -> [String: Int] {
        cache.compactMapValues { statement in
            let count = Int(sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0))
            return count > 0 ? count : nil
        }
    }

    /// Runs `body` with the open database, or answers `SQLITE_MISUSE` once it is closed.
    func withDatabase(_ body: (OpaquePointer) -> Int32) -> Int32 {
        closed ? SQLITE_MISUSE : body(db)
    }

    /// Hands each commit's WAL size to `checkpointer` instead of SQLite's automatic checkpoint
    /// (nil: back to SQLite's own). The checkpointer must outlive the hook.
    func routeWALCommits(to checkpointer: WALCheckpointer?) {
        guard !closed else { return }
        guard let checkpointer else {
            sqlite_nio_sqlite3_wal_autocheckpoint(db, WALCheckpointer.startFrames)
            return
        }
        sqlite_nio_sqlite3_wal_hook(db, { context, writer, _, frames in
            guard let context, let writer else { return SQLITE_OK }
            Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().walGrew(frames: frames, writer: writer)
            return SQLITE_OK
        }, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    /// True while a transaction is open on the handle (SQLite is not in autocommit mode).
    var isInTransaction: Bool {
        !closed && sqlite_nio_sqlite3_get_autocommit(db) == 0
    }

    deinit {
        close()
    }

    /// Finalizes every statement and closes the database.
    func close() {
        guard !closed else { return }
        closed = true
        for statement in cache.values { sqlite_nio_sqlite3_finalize(statement) }
        cache.removeAll()
        if let lastLong { sqlite_nio_sqlite3_finalize(lastLong.statement) }
        lastLong = nil
        sqlite_nio_sqlite3_close_v2(db)
    }

    /// The prepared statement for `sql`, kept or prepared now and kept (in the cache, or as the
    /// last long text). A text holding more than one statement is refused rather than run in part.
    private func prepared(_ sql: String) throws -> OpaquePointer {
        let long = sql.utf8.count > Self.cachedTextLimit
        if long, let lastLong, lastLong.sql == sql { return lastLong.statement }
        if !long, let statement = cache[sql] { return statement }
        let text = sqliteParameters(sql)
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let status = text.withCString { pointer in
            let status = sqlite_nio_sqlite3_prepare_v3(db, pointer, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            if status == SQLITE_OK, let tail, !Self.isBlank(tail) { return SQLITE_MISUSE }
            return status
        }
        guard status == SQLITE_OK, let statement else {
            if let statement { sqlite_nio_sqlite3_finalize(statement) }
            if status == SQLITE_MISUSE { throw SQLiteFailure(code: SQLITE_ERROR, message: "one statement per query: the text holds more than one") }
            throw failure(status)
        }
        if long {
            if let lastLong { sqlite_nio_sqlite3_finalize(lastLong.statement) }
            lastLong = (sql, statement)
            return statement
        }
        if cache.count >= Self.cachedStatementLimit {
            for old in cache.values { sqlite_nio_sqlite3_finalize(old) }
            cache.removeAll(keepingCapacity: true)
        }
        cache[sql] = statement
        return statement
    }

    private func bind(_ binds: [SQLValue], to statement: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32 = switch value {
            case .null:
                sqlite_nio_sqlite3_bind_null(statement, index)
            case .int(let number):
                sqlite_nio_sqlite3_bind_int64(statement, index, number)
            case .text(let text):
                Self.bindText(text, to: statement, at: index)
            case .blob(let bytes) where bytes.isEmpty:
                // A nil pointer would bind NULL; an empty blob is a zero-length blob.
                sqlite_nio_sqlite3_bind_zeroblob(statement, index, 0)
            case .blob(let bytes):
                bytes.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), sqliteTransient) }
            }
            guard status == SQLITE_OK else { throw failure(status) }
        }
    }

    private static func bindText(_ text: String, to statement: OpaquePointer, at index: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            // An empty buffer may have no address, and a nil pointer would bind NULL, not ''.
            guard let base = bytes.baseAddress else {
                return "".withCString { sqlite_nio_sqlite3_bind_text64(statement, index, $0, 0, sqliteTransient, UInt8(SQLITE_UTF8)) }
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite_nio_sqlite3_bind_text64(statement, index, $0, UInt64(bytes.count), sqliteTransient, UInt8(SQLITE_UTF8))
            }
        }
    }

    private func value(of statement: OpaquePointer, at column: Int32) -> SQLValue {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .int(sqlite_nio_sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            // The store keeps no real columns; an aggregate that yields one is read as an integer.
            let number = sqlite_nio_sqlite3_column_double(statement, column)
            return Int64(exactly: number.rounded(.towardZero)).map { .int($0) } ?? .null
        case SQLITE_TEXT:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            guard count > 0, let blob = sqlite_nio_sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    private func failure(_ status: Int32) -> SQLiteFailure {
        SQLiteFailure(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(db)))
    }

    private static func isBlank(_ tail: UnsafePointer<CChar>) -> Bool {
        var pointer = tail
        while pointer.pointee != 0 {
            switch UInt8(bitPattern: pointer.pointee) {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: ";"): pointer += 1
            default: return false
            }
        }
        return true
    }
}

/// An error SQLite answered: its result code and its message ("UNIQUE constraint failed: …").
struct SQLiteFailure: Error, CustomStringConvertible {
    /// The extended result code.
    var code: Int32
    /// SQLite's message.
    var message: String

    /// True when another process held the lock past the busy timeout.
    var isBusy: Bool { code & 0xff == SQLITE_BUSY }

    /// True when the handle was already closed (`SQLiteHandle.run` refuses with `SQLITE_MISUSE`).
    var isClosed: Bool { code & 0xff == SQLITE_MISUSE }

    var description: String { "SQLite error \(code): \(message)" }
}

/// SQLite's "copy the bytes now" destructor for bound text and blobs.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Initializes the library once per process before the first open (its configuration globals
/// are not safe to race on).
private let sqliteInitialized: Void = { _ = sqlite_nio_sqlite3_initialize() }()
