import ConnectorKit
import Foundation

/// How long finished records are kept before the retention sweep deletes them, so that a
/// server running for months has a finite store. Dead letters never replayed are not aged out.
public struct RetentionPolicy: Sendable, Equatable {
    /// Webhook inbox rows (event ids seen, used to drop vendor redeliveries).
    public var inbox: Duration
    /// Succeeded and merged jobs, and dead letters already replayed.
    public var finishedJobs: Duration
    /// Audit entries, and intents confirmed done (as long as the trail that explains them).
    public var audit: Duration
    /// Records deleted per transaction.
    public var batchSize: Int

    /// The defaults: inbox 7 days, finished jobs 7 days, audit 90 days.
    public init(inbox: Duration = .seconds(7 * 86_400), finishedJobs: Duration = .seconds(7 * 86_400), audit: Duration = .seconds(90 * 86_400), batchSize: Int = 500) {
        self.inbox = inbox
        self.finishedJobs = finishedJobs
        self.audit = audit
        self.batchSize = max(1, batchSize)
    }

    /// How long each target is kept.
    public func age(of target: RetentionTarget) -> Duration {
        switch target {
        case .inbox: inbox
        case .finishedJobs, .replayedDeadLetters: finishedJobs
        case .audit, .doneIntents: audit
        }
    }

    /// Reads an age written as a number and a unit: `90d`, `12h`, `30m`, `45s`.
    ///
    /// - Throws: `ConnectorError.validation` naming `field` when the text is not such an age.
    public static func parseAge(_ text: String, field: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = trimmed.last, let seconds = units[unit], let count = Int64(trimmed.dropLast()), count > 0, count <= 36_500 * 86_400 / seconds else {
            throw ConnectorError.validation(field: field, message: "'\(text.prefix(40))' is not an age such as 7d, 12h or 30m (at most 100 years)")
        }
        return .seconds(count * seconds)
    }

    /// The policy with the ages set in `environment` (`ML_CONNECTOR_RETAIN_INBOX`,
    /// `ML_CONNECTOR_RETAIN_JOBS`, `ML_CONNECTOR_RETAIN_AUDIT`) over these.
    public func overridden(by environment: [String: String]) throws -> RetentionPolicy {
        var policy = self
        if let value = environment["ML_CONNECTOR_RETAIN_INBOX"] { policy.inbox = try Self.parseAge(value, field: "ML_CONNECTOR_RETAIN_INBOX") }
        if let value = environment["ML_CONNECTOR_RETAIN_JOBS"] { policy.finishedJobs = try Self.parseAge(value, field: "ML_CONNECTOR_RETAIN_JOBS") }
        if let value = environment["ML_CONNECTOR_RETAIN_AUDIT"] { policy.audit = try Self.parseAge(value, field: "ML_CONNECTOR_RETAIN_AUDIT") }
        return policy
    }
}
