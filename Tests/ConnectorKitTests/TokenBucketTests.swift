import ConnectorKit
import Testing

@Suite struct TokenBucketTests {
    @Test func burstGoesAtOnceThenRequestsAreSpacedAtTheRate() async {
        // 64 per minute, 94% of it used (60): refill 60 / 60 s = 1 per second; burst 4 (the margin).
        let limit = RateLimit(requests: 64, per: .seconds(60), burst: 4)
        #expect(limit.used == 60 && limit.refillPerSecond == 1 && limit.burst == 4)
        let bucket = TokenBucket(limit: limit)
        var waits: [Duration] = []
        for _ in 0..<8 { waits.append(await bucket.reserve()) }
        #expect(waits.prefix(4).allSatisfy { $0 == .zero })
        // The 5th waits about 1 s, the 6th about 2 s…: queued, first come first served.
        for (index, wait) in waits.dropFirst(4).enumerated() {
            let expected = Double(index + 1)
            let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
            #expect(abs(seconds - expected) < 0.2, "wait \(index + 5) was \(wait)")
        }
    }

    @Test func aPauseHoldsEveryReservationBack() async {
        let bucket = TokenBucket(limit: RateLimit(requests: 1000, per: .seconds(1), burst: 100))
        await bucket.pause(for: .seconds(30))
        let wait = await bucket.reserve()
        #expect(wait > .seconds(29) && wait <= .seconds(30))
    }

    @Test(arguments: [(2, 1), (5, 1), (10, 1), (100, 1), (300, 60), (500, 60), (1500, 60), (100_000, 1)])
    func noWindowEverSeesMoreThanTheLimit(requests: Int, seconds: Int) {
        let limit = RateLimit(requests: requests, per: .seconds(seconds), burst: requests)
        // A full burst plus one window of refill stays within the published limit…
        #expect(Double(limit.burst) + limit.refillPerSecond * Double(seconds) <= Double(requests) + 0.0001)
        // …and a long read still spends most of it.
        #expect(limit.refillPerSecond * Double(seconds) >= Double(requests) * 0.9 - 1)
    }

    @Test func defaultBurstIsATwentiethOfTheLimitWithinTheMargin() {
        #expect(RateLimit(requests: 1500, per: .seconds(60)).burst == 75)
        #expect(RateLimit(requests: 500, per: .seconds(60), burst: 2).burst == 2)
        #expect(RateLimit(requests: 5, per: .seconds(60)).burst == 1)
    }

    /// A reader that takes each token as it comes, for ten seconds of a 20-per-second limit,
    /// sends what the limit allows less the margin: no window over the limit, none far under.
    @Test func aSteadyReaderSpendsTheLimitLessTheMargin() async {
        let limit = RateLimit(requests: 20, per: .seconds(1))
        let bucket = TokenBucket(limit: limit)
        var sendAt: [Double] = []
        var clock = 0.0
        for _ in 0..<200 {
            let wait = await bucket.reserve()
            clock = max(clock, Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            sendAt.append(clock)
        }
        // Reservations made at once are spaced by the bucket: the 200th goes after about
        // (200 − burst) / the refill rate.
        let last = sendAt.last ?? 0
        #expect(last > (200.0 - Double(limit.burst)) / limit.refillPerSecond - 0.5 && last < (200.0 - Double(limit.burst)) / limit.refillPerSecond + 0.5)
        for start in sendAt {
            #expect(sendAt.filter { $0 >= start && $0 < start + 1 }.count <= 20, "a window from \(start) s held more than the limit")
        }
    }
}
