/// A token bucket that spaces requests to stay under a vendor's published limit.
///
/// Callers reserve a send time and are told how long to wait for it; reservations queue in
/// order (tokens may go negative), so waiting callers are served first come, first served. Two
/// rules set each send time: the bucket (bursts up to `burst`, then the published rate), and
/// the window: a request never goes sooner than `windowSpan` after the request `windowRequests`
/// before it, so no window the vendor counts holds more than its limit. A 429 from the vendor
/// pauses the whole bucket until its `Retry-After` has passed.
public actor TokenBucket {
    private let capacity: Double
    private let refillPerSecond: Double
    /// Tokens as of `updatedAt`, which a pause moves to its end (see `pause(for:)`).
    private var tokens: Double
    private var updatedAt: ContinuousClock.Instant
    private let clock = ContinuousClock()

    private let windowRequests: Int
    private let windowSpan: Duration
    /// The last `windowRequests` send times given out, oldest at `oldest` once full.
    private var sendTimes: [ContinuousClock.Instant] = []
    private var oldest = 0

    /// The last send time given out.
    private var lastSend: ContinuousClock.Instant? {
        sendTimes.count < windowRequests ? sendTimes.last : sendTimes[(oldest + windowRequests - 1) % windowRequests]
    }

    /// Creates a full bucket for `limit`.
    public init(limit: RateLimit) {
        capacity = Double(limit.burst)
        refillPerSecond = limit.refillPerSecond
        tokens = Double(limit.burst)
        updatedAt = ContinuousClock.now
        windowRequests = limit.windowRequests
        windowSpan = limit.windowSpan
    }

    /// Takes one send time and returns how long the caller must wait before sending.
    public func reserve() -> Duration {
        let now = clock.now
        refill(now: now)
        tokens -= 1
        var sendAt = now
        if tokens < 0 {
            sendAt = now + .milliseconds(Int64((-tokens / refillPerSecond * 1000).rounded(.up)))
        }
        if sendTimes.count == windowRequests {
            sendAt = max(sendAt, sendTimes[oldest] + windowSpan)
        }
        // Send times never go backwards, so the window's oldest entry is always the earliest.
        if let lastSend, lastSend > sendAt { sendAt = lastSend }
        record(sendAt)
        return sendAt - now
    }

    /// Holds every later reservation back until `duration` from now (the vendor said 429).
    ///
    /// The pause is kept in the tokens themselves: they are counted as of its end, with at most
    /// one gathered by then, so a reservation made during it counts back from there (a negative
    /// refill) and goes no sooner than the end, and what queues behind it follows at the refill
    /// rate, not all at once. A shorter pause inside a longer one changes nothing.
    public func pause(for duration: Duration) {
        let now = clock.now
        let until = now + duration
        if now > updatedAt { refill(now: now) }
        guard until > updatedAt else { return }
        tokens = min(tokens + (until - updatedAt).seconds * refillPerSecond, 1)
        updatedAt = until
    }

    private func record(_ sendAt: ContinuousClock.Instant) {
        if sendTimes.count < windowRequests {
            sendTimes.append(sendAt)
        } else {
            sendTimes[oldest] = sendAt
            oldest = (oldest + 1) % windowRequests
        }
    }

    private func refill(now: ContinuousClock.Instant) {
        tokens = min(capacity, tokens + (now - updatedAt).seconds * refillPerSecond)
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
