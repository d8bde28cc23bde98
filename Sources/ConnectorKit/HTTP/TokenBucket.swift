/// A token bucket that spaces requests to stay under a vendor's published limit.
///
/// Callers reserve a send time and are told how long to wait for it; reservations queue in
/// order (tokens may go negative), so waiting callers are served first come, first served. Two
/// rules set each send time: the bucket (bursts up to `burst`, then the published rate), and
/// the window: a request never goes sooner than a window after the vendor may have counted the
/// request `windowRequests` before it, so no window the vendor counts holds more than its limit.
/// A 429 from the vendor pauses the whole bucket until its `Retry-After` has passed.
///
/// When the vendor counted a request is not known, only bounded: no sooner than it was sent,
/// and no later than its answer came back, or than the time it really went plus the limit's
/// `allowance` for the way. A request's mark starts at its given send time plus the allowance;
/// when the caller says the answer came (`settle`), the mark moves to the sooner of the answer
/// and the real send time plus the allowance. So on a vendor that answers in milliseconds the
/// next window starts that much after the last one ends, not a fixed allowance after it (2.5%
/// of a one-second window); and a request that went late because this process was slow (a
/// loaded machine) holds the next window back by as much.
public actor TokenBucket {
    /// A send time given out: how long to wait for it, and the ticket to `settle` once the
    /// vendor has answered.
    public struct Reservation: Sendable {
        /// How long the caller waits before sending.
        public var wait: Duration
        /// Names the request to `settle`.
        public var ticket: UInt64
    }

    private let capacity: Double
    private let refillPerSecond: Double
    /// Tokens as of `updatedAt`, which a pause moves to its end (see `pause(for:)`).
    private var tokens: Double
    private var updatedAt: ContinuousClock.Instant
    private let clock = ContinuousClock()

    private let windowRequests: Int
    /// The least time between the vendor counting a request and sending the one
    /// `windowRequests` after it.
    private let windowGap: Duration
    /// The latest a request can have been counted after it was sent, when its answer has not
    /// said sooner.
    private let allowance: Duration
    /// One of the last `windowRequests` reservations: its send time, and the latest the vendor
    /// can have counted it.
    private struct Mark {
        var sendAt: ContinuousClock.Instant
        var countedBy: ContinuousClock.Instant
    }
    /// The last `windowRequests` reservations; ticket `t` is at `t % windowRequests`, so the
    /// oldest is where the next one goes once the window is full.
    private var marks: [Mark] = []
    private var nextTicket: UInt64 = 0
    /// The last send time given out: send times never go backwards.
    private var lastSend: ContinuousClock.Instant? {
        nextTicket == 0 ? nil : marks[Int((nextTicket - 1) % UInt64(windowRequests))].sendAt
    }

    /// Creates a full bucket for `limit`.
    public init(limit: RateLimit) {
        capacity = Double(limit.burst)
        refillPerSecond = limit.refillPerSecond
        tokens = Double(limit.burst)
        updatedAt = ContinuousClock.now
        windowRequests = limit.windowRequests
        windowGap = limit.windowGap
        allowance = limit.spanAllowance
    }

    /// Takes one send time and returns how long the caller must wait before sending (for a
    /// caller that does not `settle`).
    public func reserve() -> Duration { reserveSlot().wait }

    /// Takes one send time: how long to wait before sending, and the ticket to `settle`.
    public func reserveSlot() -> Reservation {
        let now = clock.now
        refill(now: now)
        tokens -= 1
        var sendAt = now
        if tokens < 0 {
            sendAt = now + .milliseconds(Int64((-tokens / refillPerSecond * 1000).rounded(.up)))
        }
        let ticket = nextTicket
        let slot = Int(ticket % UInt64(windowRequests))
        if marks.count == windowRequests {
            sendAt = max(sendAt, marks[slot].countedBy + windowGap)
        }
        if let lastSend, lastSend > sendAt { sendAt = lastSend }
        nextTicket &+= 1
        let mark = Mark(sendAt: sendAt, countedBy: sendAt + allowance)
        if marks.count < windowRequests { marks.append(mark) } else { marks[slot] = mark }
        return Reservation(wait: sendAt - now, ticket: ticket)
    }

    /// The vendor answered the request of `ticket` (or the request failed), which went at
    /// `sentAt`: it was counted by now, or by `sentAt` plus the allowance, whichever is sooner
    /// (and not before its given send time, should a caller settle early). A ticket that has
    /// left the window, or was never given out, changes nothing.
    public func settle(_ ticket: UInt64, sentAt: ContinuousClock.Instant) {
        guard ticket < nextTicket, nextTicket - ticket <= UInt64(marks.count) else { return }
        let slot = Int(ticket % UInt64(windowRequests))
        let sendAt = marks[slot].sendAt
        marks[slot].countedBy = max(min(clock.now, max(sentAt, sendAt) + allowance), sendAt)
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
