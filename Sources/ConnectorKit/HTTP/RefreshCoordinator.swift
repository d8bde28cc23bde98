/// Makes token refresh single-flight inside one process: concurrent callers that met a 401 on
/// the same connection share one refresh; callers that arrive after it finished reuse its
/// result. Across processes the `CredentialSource` (a locked row with version compare-and-swap)
/// does the same, so a rotating refresh token is spent exactly once.
public actor RefreshCoordinator {
    private var inFlight: [String: Task<VersionedCredential, any Error>] = [:]
    private var latest: [String: VersionedCredential] = [:]

    /// Creates a coordinator with nothing in flight.
    public init() {}

    /// Returns a credential newer than `staleVersion`, refreshing through `source` only if no
    /// other caller in this process is doing so or has already done so.
    public func refresh(
        connectionID: String,
        staleVersion: Int64,
        source: any CredentialSource,
        renew: @escaping @Sendable (Credential) async throws -> Credential
    ) async throws -> VersionedCredential {
        if let known = latest[connectionID], known.version > staleVersion {
            return known
        }
        if let running = inFlight[connectionID] {
            return try await running.value
        }
        let task = Task {
            try await source.refresh(connectionID: connectionID, staleVersion: staleVersion, renew: renew)
        }
        inFlight[connectionID] = task
        defer { inFlight[connectionID] = nil }
        let result = try await task.value
        if (latest[connectionID]?.version ?? Int64.min) < result.version {
            latest[connectionID] = result
        }
        return result
    }

    /// Forgets a connection (removed or reconnected).
    public func forget(connectionID: String) {
        latest[connectionID] = nil
    }
}
