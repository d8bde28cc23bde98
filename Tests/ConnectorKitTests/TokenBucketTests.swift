import ConnectorKit
import Testing

@Suite struct TokenBucketTests {
    @Test func burstGoesAtOnceThenRequestsAreSpacedAtTheRate() async {
        // 72 per minute, 90% of it used (64), burst 4: refill (64 − 4) / 60 s = 1 per second.
        let limit = RateLimit(requests: 72, per: .seconds(60), burst: 4)
        #expect(limit.used == 64 && limit.refillPerSecond == 1)
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

    @Test func noWindowEverSeesMoreThanTheLimitLessAMargin() {
        let limit = RateLimit(requests: 100, per: .seconds(1))
        // A full burst plus one window of refill stays at 90% of the published limit.
        #expect(Double(limit.burst) + limit.refillPerSecond * 1 <= 90.0001)
    }

    @Test func defaultBurstIsATenthOfTheWindow() {
        #expect(RateLimit(requests: 1500, per: .seconds(60)).burst == 135)
        #expect(RateLimit(requests: 5, per: .seconds(60)).burst == 1)
    }
}
