import ConnectorKit
import Testing

@Suite struct TokenBucketTests {
    @Test func burstGoesAtOnceThenRequestsAreSpacedAtTheRate() async {
        // 60 per minute = 1 per second, burst 5.
        let bucket = TokenBucket(limit: RateLimit(requests: 60, per: .seconds(60), burst: 5))
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

    @Test func defaultBurstIsATenthOfTheWindow() {
        #expect(RateLimit(requests: 1500, per: .seconds(60)).burst == 150)
        #expect(RateLimit(requests: 5, per: .seconds(60)).burst == 1)
    }
}
