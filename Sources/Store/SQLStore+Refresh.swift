import ConnectorKit
import Foundation

extension SQLStore {
    /// How long a refresh lock is honoured: longer than a token call plus a vendor's 429 pause,
    /// short enough that a crashed holder's connection recovers by itself.
    static let refreshLockTTL: TimeInterval = 30
    /// How long a caller waits for another process's refresh before giving up for this attempt.
    static let refreshWaitLimit: TimeInterval = 45

    /// Single flight across processes without holding a transaction over the vendor call: a
    /// short lock row (`refreshing_by`, `refreshing_until`) is taken on the stale version, the
    /// vendor is called outside any transaction, and the new pair is written (with retries)
    /// in the same statement that releases the lock. Others wait for the version to move.
    public func refresh(connectionID: String, staleVersion: Int64, renew: @Sendable (Credential) async throws -> Credential) async throws -> VersionedCredential {
        let holder = Self.newID()
        let giveUp = Date().addingTimeInterval(Self.refreshWaitLimit)
        while true {
            guard let row = try await backend.query("SELECT envelope, version FROM credentials WHERE connection_id = $1", [.text(connectionID)]).first else {
                throw ConnectorError.unauthorized("connection \(connectionID) has no stored credential; add the connection again")
            }
            let version = try row.int("version")
            let current = try vault.open(json: try row.string("envelope"), as: Credential.self, context: Self.credentialContext(connectionID))
            redactor.register(current)
            if version != staleVersion {
                return VersionedCredential(credential: current, version: version)
            }
            let now = Date()
            let taken = try await backend.query(
                """
                UPDATE credentials SET refreshing_by = $1, refreshing_until = $2
                WHERE connection_id = $3 AND version = $4 AND (refreshing_until IS NULL OR refreshing_until < $5) RETURNING version
                """,
                [.text(holder), .time(now.addingTimeInterval(Self.refreshLockTTL)), .text(connectionID), .int(version), .time(now)]
            )
            if !taken.isEmpty {
                return try await refreshHoldingLock(connectionID: connectionID, version: version, current: current, holder: holder, renew: renew)
            }
            guard Date() < giveUp else {
                throw ConnectorError.transient("the credential of connection \(connectionID) has been refreshing elsewhere for \(Int(Self.refreshWaitLimit))s; trying again later")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func refreshHoldingLock(connectionID: String, version: Int64, current: Credential, holder: String,
                                    renew: @Sendable (Credential) async throws -> Credential) async throws -> VersionedCredential {
        let renewed: Credential
        do {
            renewed = try await renew(current)
        } catch {
            // Nothing was spent (or the vendor refused): let the next caller try at once.
            _ = try? await Task { [backend] in
                try await backend.query("UPDATE credentials SET refreshing_by = NULL, refreshing_until = NULL WHERE connection_id = $1 AND refreshing_by = $2",
                                        [.text(connectionID), .text(holder)])
            }.value
            throw error
        }
        redactor.register(renewed)
        let envelope = try vault.seal(json: renewed, context: Self.credentialContext(connectionID))
        let keyID = vault.keyID(of: envelope) ?? ""
        // The vendor may have spent the old refresh token: the new pair is written before
        // anything else, retried through a passing database failure, and in a task of its own
        // so that a cancelled caller cannot drop it.
        return try await Task { [backend] in
            var failures = 0
            while true {
                do {
                    let updated = try await backend.query(
                        """
                        UPDATE credentials SET envelope = $1, key_id = $2, version = version + 1, updated_at = $3, refreshing_by = NULL, refreshing_until = NULL
                        WHERE connection_id = $4 AND version = $5 RETURNING version
                        """,
                        [.text(envelope), .text(keyID), .time(Date()), .text(connectionID), .int(version)]
                    )
                    guard let newVersion = updated.first?.optionalInt("version") else {
                        throw StoreError.corrupt("credential of \(connectionID) changed while this process held its refresh lock")
                    }
                    return VersionedCredential(credential: renewed, version: newVersion)
                } catch let error as StoreError {
                    throw error
                } catch {
                    failures += 1
                    if failures >= 6 { throw error }
                    try? await Task.sleep(for: .milliseconds(100 << failures))
                }
            }
        }.value
    }
}
