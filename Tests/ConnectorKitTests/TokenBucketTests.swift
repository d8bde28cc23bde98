import ConnectorKit
import Testing

@Suite struct TokenBucketTests {
    @Test func burstGoesAtOnceThenRequestsAreSpacedAtTheRate() async {
        // 60 per minute: refill 1 per second; burst 4.
        let limit = RateLimit(requests: 60, per: .seconds(60), burst: 4)
        #expect(limit.refillPerSecond == 1 && limit.burst == 4)
        let bucket = TokenBucket(limit: limit)
        var waits: [Duration] = []
        for _ in 0..<8 { waits.append(await bucket.reserve()) }
        #expect(waits.prefix(4).allSatisfy { $0 == .zero })
        // The 5th waits about 1 s, the 6th about 2 s…: queued, first come first served.
        for (index, wait) in waits.dropFirst(4).enumerated() {
            let expected = Double(index + 1)
            #expect(abs(wait.seconds - expected) < 0.2, "wait \(index + 5) was \(wait)")
        }
    }

    @Test func aPauseHoldsEveryReservationBack() async {
        let bucket = TokenBucket(limit: RateLimit(requests: 1000, per: .seconds(1), burst: 100))
        await bucket.pause(for: .seconds(30))
        let wait = await bucket.reserve()
        #expect(wait > .seconds(29) && wait <= .seconds(30))
    }

    /// Reservations made all at once, and in bursts after quiet spells, sent when the bucket
    /// says; then every other request is made late by up to the allowance (the way to the
    /// vendor). No window the vendor counts may see more than the limit, and a long run must
    /// still spend the limit less the allowance.
    @Test(arguments: [(1, 1), (2, 1), (5, 1), (10, 1), (100, 1), (300, 60), (500, 60), (1500, 60), (150_000, 60), (250_000, 1)])
    func noWindowEverSeesMoreThanTheLimit(requests: Int, seconds: Int) async {
        let limit = RateLimit(requests: requests, per: .seconds(seconds))
        // Over time at least 97% of the published rate, however many send times it must keep.
        #expect(Double(limit.windowRequests) / limit.windowSpan.seconds >= Double(requests) / Double(seconds) * 0.97)
        #expect(limit.windowRequests <= RateLimit.trackedRequests)
        let bucket = TokenBucket(limit: limit)
        let count = min(3 * requests + 7, 600_000)
        let start = ContinuousClock.now
        var sendAt: [Double] = []
        for _ in 0..<count {
            // The bucket's clock reads at or after `before`: a send time this early or earlier.
            let before = ContinuousClock.now
            sendAt.append((before - start + (await bucket.reserve())).seconds)
        }
        #expect(zip(sendAt, sendAt.dropFirst()).allSatisfy { $0 <= $1 + 0.01 }, "send times go forward")
        let allowance = limit.allowance.seconds
        let arrivals = sendAt.enumerated().map { $0.offset.isMultiple(of: 2) ? $0.element + allowance * 0.999 : $0.element }.sorted()
        let window = Double(seconds)
        var first = 0
        for end in arrivals.indices {
            while arrivals[end] - arrivals[first] >= window { first += 1 }
            if end - first + 1 > requests {
                Issue.record("\(end - first + 1) arrivals within \(seconds) s, limit \(requests)")
                break
            }
        }
        // The last request opens span number (count − 1) / windowRequests (a span is the window
        // and its allowance when every request is tracked); it goes once that many spans have
        // passed, after those of its span the burst does not cover.
        let spans = Double((count - 1) / limit.windowRequests)
        let inLastSpan = max(0, (count - 1) % limit.windowRequests - limit.burst + 1)
        let latest = spans * limit.windowSpan.seconds + Double(inLastSpan) / limit.refillPerSecond
        let last = sendAt.last ?? 0
        #expect(last <= latest + 0.05, "the last of \(count) went at \(last) s, expected by \(latest)")
        #expect(last >= Double((count - 1) / requests) * window - 0.01, "the last of \(count) went at \(last) s: faster than the limit")
    }

    /// Limits described in code with nonsense figures are clamped, and a bucket over them
    /// still answers finite, non-negative waits instead of trapping.
    @Test(arguments: [(0, Duration.zero), (-5, .seconds(-1)), (Int.max, .seconds(1)), (1, .seconds(86_400 * 60))])
    func hostileLimitsAreClampedAndNeverTrap(requests: Int, per: Duration) async {
        let limit = RateLimit(requests: requests, per: per)
        #expect(limit.requests >= 1 && limit.per >= RateLimit.shortestWindow && limit.burst >= 1)
        #expect(limit.refillPerSecond.isFinite && limit.refillPerSecond > 0)
        #expect(limit.windowRequests >= 1 && limit.windowRequests <= RateLimit.trackedRequests && limit.windowSpan > .zero)
        let bucket = TokenBucket(limit: limit)
        for _ in 0..<3 {
            let wait = await bucket.reserve()
            #expect(wait >= .zero)
        }
        await bucket.pause(for: .seconds(1))
        #expect(await bucket.reserve() >= .zero)
    }

    @Test func defaultBurstIsATwentiethOfTheLimit() {
        #expect(RateLimit(requests: 1500, per: .seconds(60)).burst == 75)
        #expect(RateLimit(requests: 500, per: .seconds(60), burst: 2).burst == 2)
        #expect(RateLimit(requests: 5, per: .seconds(60)).burst == 1)
    }

    /// A reader that takes each send time as it comes, for ten seconds of a 20-per-second
    /// limit: no window over the limit, and 20 requests each window plus the allowance.
    @Test func aSteadyReaderSpendsTheLimitLessTheAllowance() async {
        let limit = RateLimit(requests: 20, per: .seconds(1))
        let bucket = TokenBucket(limit: limit)
        let start = ContinuousClock.now
        var sendAt: [Double] = []
        for _ in 0..<200 {
            let before = ContinuousClock.now
            sendAt.append((before - start + (await bucket.reserve())).seconds)
        }
        // 200 requests are ten windows: the 200th goes at the start of the tenth, nine windows
        // and allowances in, plus the time its window's first 19 take at the refill rate.
        let last = sendAt.last ?? 0
        let expected = 9 * (1 + limit.allowance.seconds) + 19.0 / 20
        #expect(abs(last - expected) < 0.1, "the 200th went at \(last) s, expected about \(expected)")
        for start in sendAt {
            #expect(sendAt.filter { $0 >= start && $0 < start + 1 }.count <= 20, "a window from \(start) s held more than the limit")
        }
    }

    /// What queued behind a 429's pause goes out at the refill rate from its end, not all at
    /// the moment it ends.
    @Test func afterAPauseQueuedRequestsGoAtTheRate() async {
        let bucket = TokenBucket(limit: RateLimit(requests: 10, per: .seconds(1), burst: 10))
        for _ in 0..<3 { _ = await bucket.reserve() }
        await bucket.pause(for: .milliseconds(300))
        var waits: [Double] = []
        for _ in 0..<3 { waits.append(await bucket.reserve().seconds) }
        #expect(abs(waits[0] - 0.3) < 0.05 && abs(waits[1] - 0.4) < 0.05 && abs(waits[2] - 0.5) < 0.05, "waits \(waits)")
    }

    /// A 429 after the bucket had let a window through: what is queued waits for the pause,
    /// and the window rule still holds after it.
    @Test func aPauseKeepsTheWindowRule() async {
        let limit = RateLimit(requests: 10, per: .seconds(1), burst: 10)
        let bucket = TokenBucket(limit: limit)
        for _ in 0..<10 { _ = await bucket.reserve() }
        await bucket.pause(for: .milliseconds(300))
        let next = await bucket.reserve().seconds
        #expect(next >= 1 + limit.allowance.seconds - 0.01, "the 11th of a full window waits for the window, not only the pause: \(next)")
    }

    /// A request whose answer came back starts the next window from the answer, not from its
    /// send time plus the allowance; one not yet answered still counts the allowance.
    @Test func anAnsweredRequestStartsTheNextWindowFromItsAnswer() async {
        let limit = RateLimit(requests: 2, per: .seconds(1), burst: 2)
        let bucket = TokenBucket(limit: limit)
        let first = await bucket.reserveSlot()
        _ = await bucket.reserveSlot()
        #expect(first.wait == .zero)
        await bucket.settle(first.ticket, sentAt: .now)
        let third = await bucket.reserveSlot().wait.seconds
        let fourth = await bucket.reserveSlot().wait.seconds
        #expect(third >= 0.99 && third < 1 + limit.allowance.seconds - 0.01, "answered: one window after the answer, got \(third)")
        #expect(fourth >= 1 + limit.allowance.seconds - 0.01, "not answered: the window and the allowance, got \(fourth)")
    }

    /// Settling a request before its send time (a misuse) does not date its count earlier than
    /// the send; unknown and departed tickets change nothing and do not trap.
    @Test func settlingNeverDatesACountBeforeItsSend() async {
        let limit = RateLimit(requests: 2, per: .seconds(1), burst: 2)
        let bucket = TokenBucket(limit: limit)
        let a = await bucket.reserveSlot(), b = await bucket.reserveSlot()
        let c = await bucket.reserveSlot()
        #expect(c.wait.seconds >= 1)
        await bucket.settle(c.ticket, sentAt: .now)
        await bucket.settle(c.ticket + 1_000, sentAt: .now)
        await bucket.settle(a.ticket, sentAt: .now)
        await bucket.settle(b.ticket, sentAt: .now)
        _ = await bucket.reserveSlot()
        let e = await bucket.reserveSlot().wait.seconds
        #expect(e >= c.wait.seconds + 1 - 0.01, "the fifth goes a window after the third's send at the soonest, got \(e)")
        await bucket.settle(a.ticket, sentAt: .now)
    }

    /// Requests counted the moment they go and answered at once (a loopback vendor), however
    /// late this process sends them: no window sees more than the limit.
    @Test func answeredRequestsKeepEveryWindowAtTheLimit() async throws {
        let limit = RateLimit(requests: 5, per: .milliseconds(100), burst: 5)
        let bucket = TokenBucket(limit: limit)
        let start = ContinuousClock.now
        var arrivals: [Double] = []
        for _ in 0..<30 {
            let slot = await bucket.reserveSlot()
            try await Task.sleep(for: slot.wait)
            // Sent (and, on this vendor, counted) now, however late the sleep woke.
            let sentAt = ContinuousClock.now
            arrivals.append((sentAt - start).seconds)
            await bucket.settle(slot.ticket, sentAt: sentAt)
        }
        var first = 0
        for end in arrivals.indices {
            while arrivals[end] - arrivals[first] >= 0.1 { first += 1 }
            #expect(end - first + 1 <= 5, "\(end - first + 1) arrivals within 100 ms: \(arrivals)")
        }
        #expect(arrivals.last ?? 0 >= 0.5, "30 requests are five windows")
    }

    /// A request that went later than the allowance (this process was slow to send it) holds
    /// the next window back from when it really went.
    @Test func aLateSendHoldsTheNextWindowBackFromWhenItWent() async throws {
        let limit = RateLimit(requests: 2, per: .seconds(1), burst: 2)
        let bucket = TokenBucket(limit: limit)
        let start = ContinuousClock.now
        let a = await bucket.reserveSlot()
        _ = await bucket.reserveSlot()
        try await Task.sleep(for: .milliseconds(80))
        let went = ContinuousClock.now
        await bucket.settle(a.ticket, sentAt: went)
        let before = ContinuousClock.now
        let c = before - start + (await bucket.reserveSlot()).wait
        #expect(c >= went - start + .seconds(1) - .milliseconds(1), "the third goes a window after the first really went: \(c)")
    }
}
