/// A token bucket that spaces requests to stay under a vendor's published limit.
///
/// Callers reserve a token and are told how long to wait for it; reservations queue in order
/// (tokens may go negative), so waiting callers are served first come, first served. A 429 from
/// the vendor pauses the whole bucket until its `Retry-After` has passed.
public actor TokenBucket {
    private let capacity: Double
    private let refillPerSecond: Double
    private var tokens: Double
    private var updatedAt: ContinuousClock.Instant
    private var pausedUntil: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    /// Creates a full bucket for `limit`.
    public init(limit: RateLimit) {
        capacity = Double(limit.burst)
        refillPerSecond = limit.refillPerSecond
        tokens = Double(limit.burst)
        updatedAt = ContinuousClock.now
    }

    /// Takes one token and returns how long the caller must wait before sending.
    public func reserve() -> Duration {
        let now = clock.now
        refill(now: now)
        tokens -= 1
        var wait: Duration = .zero
        if tokens < 0 {
            wait = .milliseconds(Int64((-tokens / refillPerSecond * 1000).rounded(.up)))
        }
        if let pausedUntil, pausedUntil > now {
            wait = max(wait, pausedUntil - now)
        }
        return wait
    }

    /// Holds every later reservation back until `duration` from now (the vendor said 429).
    public func pause(for duration: Duration) {
        let until = clock.now + duration
        if pausedUntil.map({ $0 < until }) ?? true {
            pausedUntil = until
        }
    }

    private func refill(now: ContinuousClock.Instant) {
        let elapsed = now - updatedAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + seconds * refillPerSecond)
        updatedAt = now
    }
}

/// One token bucket per connection, made on first use.
public actor RateLimiterRegistry {
    private var buckets: [String: TokenBucket] = [:]

    /// Creates an empty registry.
    public init() {}

    /// The bucket of `connectionID`, created with `limit` on first use.
    public func bucket(for connectionID: String, limit: RateLimit) -> TokenBucket {
        if let bucket = buckets[connectionID] { return bucket }
        let bucket = TokenBucket(limit: limit)
        buckets[connectionID] = bucket
        return bucket
    }
}
