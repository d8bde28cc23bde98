import PostgresNIO

extension StoreError {
    /// True when `error` says the database could not be reached or was busy, not that the
    /// statement itself was refused: the store is closed or unreachable, another process held
    /// SQLite's lock past the wait, or PostgreSQL reported no server error (the connection
    /// failed) or a connection, resource or shutdown error (SQLSTATE classes 08, 53, 57).
    /// Such an error is everyone's in a shared transaction, so retrying its items one by one
    /// would only wait for it again, once per item.
    public static func isOutage(_ error: any Error) -> Bool {
        if case .unavailable = error as? StoreError { return true }
        if let failure = error as? SQLiteFailure { return failure.isBusy || failure.isClosed }
        if let psql = error as? PSQLError {
            guard let state = psql.serverInfo?[.sqlState] else { return true }
            return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57")
        }
        return false
    }
}
