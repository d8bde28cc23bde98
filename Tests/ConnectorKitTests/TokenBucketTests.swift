import ConnectorKit
import Testing

@Suite struct TokenBucketTests {
    @Test func burstGoesAtOnceThenRequestsAreSpacedAtTheRate() async {
        // 65 per minute with a burst of 5: refill (65 − 5) / 60 s = 1 per second.
        let bucket = TokenBucket(limit: RateLimit(requests: 65, per: .seconds(60), burst: 5))
        var waits: [Duration] = []
        for _ in 0..<8 { waits.append(await bucket.reserve()) }
        #expect(waits.prefix(5).allSatisfy { $0 == .zero })
        // The 6th waits about 1 s, the 7th about 2 s, the 8th about 3 s: queued, first come first served.
        for (index, wait) in waits.dropFirst(5).enumerated() {
            let expected = Double(index + 1)
            let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
            #expect(abs(seconds - expected) < 0.2, "wait \(index + 6) was \(wait)")
        }
    }

    @Test func aPauseHoldsEveryReservationBack() async {
        let bucket = TokenBucket(limit: RateLimit(requests: 1000, per: .seconds(1), burst: 100))
        await bucket.pause(for: .seconds(30))
        let wait = await bucket.reserve()
        #expect(wait > .seconds(29) && wait <= .seconds(30))
    }

    @Test func noWindowEverSeesMoreThanTheLimit() {
        let limit = RateLimit(requests: 100, per: .seconds(1))
        // A full burst plus one window of refill is exactly the published limit.
        #expect(Double(limit.burst) + limit.refillPerSecond * 1 <= 100.0001)
    }

    @Test func defaultBurstIsATenthOfTheWindow() {
        #expect(RateLimit(requests: 1500, per: .seconds(60)).burst == 150)
        #expect(RateLimit(requests: 5, per: .seconds(60)).burst == 1)
    }
}
