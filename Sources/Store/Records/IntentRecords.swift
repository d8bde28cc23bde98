import Foundation

/// Where an intent to create (or to cause any other side effect) stands.
public enum IntentState: String, Codable, Sendable {
    /// Recorded before the vendor call and not yet confirmed: the effect may or may not exist.
    case open
    /// Confirmed in the transaction that completed the job which made it.
    case done
}

/// An intent recorded under a deterministic idempotency key before an uncertain write. It
/// outlives retries, merges and replays: any later attempt that finds it open looks the
/// effect up before making it again.
public struct IntentRecord: Sendable, Codable, Equatable {
    /// The integration (or other scope) the key belongs to.
    public var integrationID: String
    /// The idempotency key (`expense:asana:task:42`).
    public var key: String
    /// Open until the completing transaction confirms it.
    public var state: IntentState
    /// What the effect produced, once known.
    public var targetRef: String?
    /// The job that last began it.
    public var jobID: String?
    /// Where the attempts that began it said they would make the effect, oldest first (at most
    /// `IntentRecord.aimLimit`): where a later attempt looks for it.
    public var aims: [String] = []
    /// When it was first recorded.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
}

/// A recurring job (a poll, webhook upkeep) whose runs are failing, and since when; cleared by
/// its next success.
public struct FailingSchedule: Sendable, Codable, Equatable {
    /// The schedule's coalescing key (`poll:fb-acme:invoices`).
    public var coalesceKey: String
    /// The job kind.
    public var kind: String
    /// The connection it serves, if any.
    public var connectionID: String?
    /// The integration it serves, if any.
    public var integrationID: String?
    /// The first failure since the last success.
    public var failingSince: Date
    /// Failed attempts since then.
    public var failures: Int
    /// The latest error.
    public var lastError: String?
}

extension IntentRecord {
    /// The most aims one intent keeps (the newest).
    public static let aimLimit = 16
}
