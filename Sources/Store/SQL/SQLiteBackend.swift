import Foundation
import Logging

/// The embedded SQLite database: one file in WAL mode, one connection, every statement
/// serialised. Other processes (the CLI beside a running server) wait on SQLite's own lock.
///
/// Statements run on the calling task's thread through `SQLiteHandle`, prepared once and kept:
/// a statement here takes microseconds, less than a hop to a thread pool and back. Running them
/// on two threads of SQLite's own instead (a task executor, one hop per query or transaction)
/// drained 1,490 no-op jobs/s against 2,490 inline. Inline is safe to the shared pool because
/// the lock lets one statement of the database run at a time, so at most one of its threads is
/// in SQLite, and no wait there is long: another process's lock is waited out asleep past
/// `busyTimeoutMilliseconds`, and a commit in WAL mode with `synchronous=NORMAL` does not sync
/// the disk (a checkpoint does, and those run on `WALCheckpointer`'s thread).
public final class SQLiteBackend: SQLBackend {
    public let dialect = SQLDialect.sqlite
    private let handle: SQLiteHandle
    private let lock = AsyncLock()
    private let checkpointer: WALCheckpointer

    /// How long SQLite itself waits for another process's lock, blocking the calling thread.
    /// Short, so a thread of the shared pool is never held long; past it the wait goes on
    /// asleep, up to `busyDeadline`.
    static let busyTimeoutMilliseconds = 20
    /// How long a statement or a transaction's start waits, in all, for another process's lock
    /// before it fails.
    static let busyDeadline: Duration = .seconds(15)

    private init(handle: SQLiteHandle, checkpointer: WALCheckpointer) {
        self.handle = handle
        self.checkpointer = checkpointer
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, logger: Logger = Logger(label: "ml-connector.sqlite")) async throws -> SQLiteBackend {
        let handle: SQLiteHandle
        do {
            handle = try SQLiteHandle.open(path: path)
        } catch {
            throw StoreError.unavailable("cannot open SQLite database \(path): \(error)")
        }
        // The file holds sealed secrets and business records: owner only, like the key file.
        _ = chmod(path, 0o600)
        let checkpointer: WALCheckpointer
        do {
            // WAL lets readers in other processes work while we write, and a commit need not
            // wait for them; the busy timeout makes a second process wait for the lock instead
            // of failing at once. No one else holds this handle yet, so no lock is taken.
            let mode = try await waitingOutOtherProcesses { try handle.run("PRAGMA journal_mode=WAL", []) }.first?.optionalString("journal_mode")
            guard mode?.lowercased() == "wal" else {
                throw StoreError.unavailable("SQLite database \(path) could not use WAL mode (it answered \(mode ?? "nothing")); keep the database on a local filesystem")
            }
            for pragma in ["PRAGMA busy_timeout=\(busyTimeoutMilliseconds)", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"] {
                try await waitingOutOtherProcesses { try handle.run(pragma, []) }
            }
            // Checkpoints run on the checkpointer's thread, not inside commits.
            checkpointer = try WALCheckpointer(path: path)
            handle.routeWALCommits(to: checkpointer)
        } catch {
            handle.close()
            throw error as? StoreError ?? StoreError.unavailable("cannot open SQLite database \(path): \(error)")
        }
        logger.debug("opened SQLite database", metadata: ["path": .string(path)])
        return SQLiteBackend(handle: handle, checkpointer: checkpointer)
    }

    @discardableResult
    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await lock.withLock { [handle] in
            // Outside a transaction a statement that meets another process's lock has changed
            // nothing, so it may simply run again.
            try await Self.waitingOutOtherProcesses { try handle.run(sql, binds) }
        }
    }

    public func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
        try await lock.withLock { [handle] in
            // A transaction a failed ROLLBACK left open would refuse every BEGIN from now on.
            if handle.isInTransaction { _ = try? handle.run("ROLLBACK", []) }
            try await Self.waitingOutOtherProcesses { try handle.run("BEGIN IMMEDIATE", []) }
            do {
                let result = try await body(LockedSQLite(handle: handle))
                // A COMMIT refused for another process's lock leaves the transaction open, and
                // may simply be tried again.
                try await Self.waitingOutOtherProcesses { try handle.run("COMMIT", []) }
                return result
            } catch {
                _ = try? handle.run("ROLLBACK", [])
                throw error
            }
        }
    }

    /// The kept statements SQLite has had to prepare again, by text, with how often (see
    /// `SQLiteHandle.reprepareCounts`).
    func reprepareCounts() async throws -> [String: Int] {
        try await lock.withLock { [handle] in handle.reprepareCounts() }
    }

    deinit {
        // A backend dropped without `close` still stops its checkpoint thread (the connection
        // closes with the handle).
        handle.routeWALCommits(to: nil)
        checkpointer.stop()
    }

    public func close() async {
        _ = try? await lock.withLock { [handle, checkpointer] in
            // The write connection closes last: as the last one, it checkpoints the WAL and
            // removes it. Its hook goes first, so no commit signals a stopped checkpointer.
            handle.routeWALCommits(to: nil)
            checkpointer.stop()
            handle.close()
        }
    }

    /// Runs `attempt` until it is not refused for another process's lock, sleeping between
    /// tries, for at most `busyDeadline`.
    @discardableResult
    private static func waitingOutOtherProcesses<Value>(_ attempt: () throws -> Value) async throws -> Value {
        let deadline = ContinuousClock.now + busyDeadline
        var pause = Duration.milliseconds(2)
        while true {
            do {
                return try attempt()
            } catch let failure as SQLiteFailure where failure.isBusy && ContinuousClock.now < deadline {
                // The wait ignores cancellation: a cancelled job still stores its outcome, and
                // giving up here would release a job whose vendor writes are done.
                await Task { [pause] in try? await Task.sleep(for: pause) }.value
                pause = min(pause * 2, .milliseconds(100))
            }
        }
    }
}

/// The statement with PostgreSQL's `$1` placeholders written as SQLite's numbered `?1`: one
/// scan of the bytes, once per statement text (the handle keeps what it prepared).
func sqliteParameters(_ sql: String) -> String {
    let bytes = Array(sql.utf8)
    guard bytes.contains(UInt8(ascii: "$")) else { return sql }
    var out = bytes
    for index in out.indices where out[index] == UInt8(ascii: "$") && index + 1 < out.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(out[index + 1]) {
        out[index] = UInt8(ascii: "?")
    }
    return String(decoding: out, as: UTF8.self)
}

/// The executor handed to a transaction body: it runs on the handle whose lock the transaction
/// already holds. Inside `BEGIN IMMEDIATE` the write lock is ours, so no statement waits on
/// another process.
private struct LockedSQLite: SQLExecutor {
    let handle: SQLiteHandle

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try handle.run(sql, binds)
    }
}
