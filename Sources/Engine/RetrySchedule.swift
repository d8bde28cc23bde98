import ConnectorKit
import Foundation

/// When a failed job runs again: exponential backoff with full jitter, never sooner than a
/// vendor's `Retry-After`, and not at all once the attempt budget is spent.
public struct RetrySchedule: Sendable {
    /// The first backoff ceiling.
    public var base: Duration
    /// The largest backoff ceiling.
    public var cap: Duration

    /// Creates a schedule.
    public init(base: Duration = .seconds(5), cap: Duration = .seconds(30 * 60)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before attempt `attempt + 1`, given the error of attempt `attempt`; the backoff
    /// never exceeds `ceiling` when given (a recurring job's interval), a vendor's wait still wins.
    public func delay<R: RandomNumberGenerator>(afterAttempt attempt: Int, error: any Error, ceiling: Duration? = nil, using generator: inout R) -> Duration {
        let limit = min(cap, ceiling ?? cap)
        let jitter = Backoff.fullJitter(ceiling: min(limit, Backoff.ceiling(base: base, cap: cap, step: attempt - 1)), using: &generator)
        if case .rateLimited(let retryAfter)? = error as? ConnectorError, let retryAfter {
            return max(retryAfter, jitter)
        }
        return jitter
    }

    /// Whether an error is worth another attempt.
    public static func isRetryable(_ error: any Error) -> Bool {
        if let connectorError = error as? ConnectorError { return connectorError.isRetryable }
        if let storeError = error as? StoreErrorClassification { return storeError.isRetryable }
        // Unknown failures (I/O, decoding of a transient body) get the benefit of the doubt.
        return true
    }

    /// The kind name recorded with a dead letter.
    public static func kind(of error: any Error) -> String {
        (error as? ConnectorError)?.kind ?? "error"
    }
}

/// Errors that know whether retrying may help.
public protocol StoreErrorClassification: Error {
    /// True when retrying later may succeed.
    var isRetryable: Bool { get }
}
