/// How the pipeline retries a request that met a passing failure.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// The first backoff ceiling; it doubles per retry.
    public var baseDelay: Duration
    /// The largest backoff ceiling.
    public var maxDelay: Duration
    /// The longest `Retry-After` the pipeline waits in place; a longer one is handed to the job
    /// engine as `rateLimited(retryAfter:)` so that a worker is not held asleep.
    public var maxInlineWait: Duration

    /// Describes a policy.
    public init(maxRetries: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30), maxInlineWait: Duration = .seconds(60)) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxInlineWait = maxInlineWait
    }

    /// Exponential backoff with full jitter: a uniform delay between zero and
    /// `min(maxDelay, baseDelay × 2^retry)` (retry counts from 0).
    public func backoff<R: RandomNumberGenerator>(retry: Int, using generator: inout R) -> Duration {
        let ceiling = Backoff.ceiling(base: baseDelay, cap: maxDelay, step: retry)
        return Backoff.fullJitter(ceiling: ceiling, using: &generator)
    }
}

/// Exponential backoff arithmetic shared by the HTTP pipeline and the job engine.
public enum Backoff {
    /// `min(cap, base × 2^step)`, without overflow for large steps.
    public static func ceiling(base: Duration, cap: Duration, step: Int) -> Duration {
        let factor = step >= 30 ? Int64(1) << 30 : Int64(1) << Int64(max(0, step))
        let scaled = base * Int(factor)
        return scaled > cap ? cap : scaled
    }

    /// A uniform random duration in `0...ceiling`, to the millisecond.
    public static func fullJitter<R: RandomNumberGenerator>(ceiling: Duration, using generator: inout R) -> Duration {
        let ms = max(0, milliseconds(ceiling))
        return .milliseconds(Int64.random(in: 0...ms, using: &generator))
    }

    /// Whole milliseconds in a duration, saturating at `Int64.min`/`Int64.max` instead of
    /// trapping (a duration of 9.3e15 s has more milliseconds than an `Int64` holds).
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (scaled, overflow) = duration.components.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return duration.components.seconds < 0 ? .min : .max }
        let (total, overflowSum) = scaled.addingReportingOverflow(duration.components.attoseconds / 1_000_000_000_000_000)
        if overflowSum { return scaled < 0 ? .min : .max }
        return total
    }
}
