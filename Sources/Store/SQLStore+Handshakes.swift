import ConnectorKit
import Foundation

extension SQLStore {
    public var subscriptionChangeCount: Int { subscriptionChanges.withLockedValue { $0 } }

    /// Notes a local write to webhook subscriptions.
    func subscriptionsChanged() {
        subscriptionChanges.withLockedValue { $0 += 1 }
    }

    public func completeHandshake(id: String, secret: String) async throws -> Bool {
        redactor.register([secret])
        let envelope = try vault.seal(Data(secret.utf8), context: Self.subscriptionContext(id))
        let rows = try await backend.query(
            """
            UPDATE webhook_subscriptions SET secret_envelope = $1, secret_key_id = $2, status = 'active', candidate_envelope = NULL, candidate_key_id = NULL, updated_at = $3
            WHERE id = $4 AND status = 'pending' RETURNING id
            """,
            [.text(envelope), .text(vault.keyID(of: envelope)), .time(Date()), .text(id)]
        )
        subscriptionsChanged()
        return !rows.isEmpty
    }

    public func offerCandidateSecret(id: String, secret: String, registeredSince: Date) async throws -> Bool {
        redactor.register([secret])
        let envelope = try vault.seal(Data(secret.utf8), context: Self.candidateContext(id))
        // updated_at is left alone: a stranger's offer must not extend the window it is judged by.
        let rows = try await backend.query(
            """
            UPDATE webhook_subscriptions SET candidate_envelope = $1, candidate_key_id = $2
            WHERE id = $3 AND status IN ('pending', 'failing') AND updated_at >= $4 RETURNING id
            """,
            [.text(envelope), .text(vault.keyID(of: envelope)), .text(id), .time(registeredSince)]
        )
        subscriptionsChanged()
        return !rows.isEmpty
    }

    public func candidateSecret(id: String) async throws -> String? {
        guard let envelope = try await backend.query("SELECT candidate_envelope FROM webhook_subscriptions WHERE id = $1", [.text(id)]).first?.optionalString("candidate_envelope") else {
            return nil
        }
        return try openSecret(envelope, context: Self.candidateContext(id))
    }

    public func resolveCandidateSecret(id: String, candidate: String, confirmed: Bool) async throws -> Bool {
        let forUpdate = backend.dialect.forUpdate
        let vault = vault
        let current = try await backend.transaction { db -> Bool in
            guard let envelope = try await db.query("SELECT candidate_envelope FROM webhook_subscriptions WHERE id = $1\(forUpdate)", [.text(id)]).first?.optionalString("candidate_envelope"),
                  String(decoding: try vault.open(envelope, context: Self.candidateContext(id)), as: UTF8.self) == candidate else {
                return false
            }
            if confirmed {
                let sealed = try vault.seal(Data(candidate.utf8), context: Self.subscriptionContext(id))
                try await db.query(
                    """
                    UPDATE webhook_subscriptions SET secret_envelope = $1, secret_key_id = $2, status = 'active', candidate_envelope = NULL, candidate_key_id = NULL, updated_at = $3
                    WHERE id = $4
                    """,
                    [.text(sealed), .text(vault.keyID(of: sealed)), .time(Date()), .text(id)])
            } else {
                try await db.query("UPDATE webhook_subscriptions SET candidate_envelope = NULL, candidate_key_id = NULL WHERE id = $1", [.text(id)])
            }
            return true
        }
        subscriptionsChanged()
        return current
    }

    /// Candidates are sealed under their own context, so a candidate envelope can never be
    /// opened as a confirmed secret.
    static func candidateContext(_ id: String) -> String {
        "webhook-candidate:\(id)"
    }
}
