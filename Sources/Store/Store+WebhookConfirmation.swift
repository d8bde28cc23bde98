import ConnectorKit

extension Store {
    /// Sends a subscription's candidate secret to the vendor with `confirm` and keeps it only
    /// when the vendor accepts it: a verifier the vendor refuses (it answers `accepted: false`
    /// or a non-retryable error) is discarded and the subscription marked failing, so that a
    /// stranger who knows the webhook URL cannot plant a secret. A passing failure keeps the
    /// candidate for the job's next attempt.
    ///
    /// - Returns: what `confirm` returned.
    /// - Throws: `ConnectorError.permanent` when there is no candidate to confirm; whatever
    ///   `confirm` throws.
    public func confirmCandidateSecret<Answer: Sendable>(
        subscriptionID: String,
        confirm: (String) async throws -> (answer: Answer, accepted: Bool)
    ) async throws -> Answer {
        guard let candidate = try await candidateSecret(id: subscriptionID) else {
            throw ConnectorError.permanent("subscription \(subscriptionID) has no verifier waiting to be confirmed (it was confirmed or discarded already)")
        }
        let outcome: (answer: Answer, accepted: Bool)
        do {
            outcome = try await confirm(candidate)
        } catch let error as ConnectorError where !error.isRetryable {
            try await refuse(subscriptionID: subscriptionID, candidate: candidate)
            throw error
        }
        if outcome.accepted {
            _ = try await resolveCandidateSecret(id: subscriptionID, candidate: candidate, confirmed: true)
        } else {
            try await refuse(subscriptionID: subscriptionID, candidate: candidate)
        }
        return outcome.answer
    }

    private func refuse(subscriptionID: String, candidate: String) async throws {
        if try await resolveCandidateSecret(id: subscriptionID, candidate: candidate, confirmed: false) {
            try await updateSubscription(id: subscriptionID, status: .failing, externalID: nil)
        }
    }
}
