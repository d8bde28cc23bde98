import ConnectorKit
import Foundation
import Testing

@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000) // 2023-11-14T22:13:20Z

    @Test func deltaSeconds() {
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .seconds(0))
    }

    @Test func imfFixdate() {
        #expect(RetryAfter.parse("Tue, 14 Nov 2023 22:13:50 GMT", now: now) == .seconds(30))
    }

    @Test func obsoleteDateForms() {
        #expect(RetryAfter.parse("Tuesday, 14-Nov-23 22:13:30 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Tue Nov 14 22:13:25 2023", now: now) == .seconds(5))
    }

    @Test func pastDateMeansNoWait() {
        #expect(RetryAfter.parse("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == .zero)
    }

    @Test func unreadableOrAbsentIsNil() {
        #expect(RetryAfter.parse(nil, now: now) == nil)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse("", now: now) == nil)
    }
}

@Suite struct BackoffTests {
    @Test func fullJitterStaysUnderTheDoublingCeiling() {
        let policy = RetryPolicy(maxRetries: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(3))
        var generator = SystemRandomNumberGenerator()
        var seenNonZero = false
        for retry in 0..<10 {
            let ceiling = min(Duration.milliseconds(100 * (1 << retry)), .seconds(3))
            for _ in 0..<50 {
                let delay = policy.backoff(retry: retry, using: &generator)
                #expect(delay >= .zero && delay <= ceiling)
                if delay > .zero { seenNonZero = true }
            }
        }
        #expect(seenNonZero)
    }

    @Test func ceilingDoesNotOverflow() {
        #expect(Backoff.ceiling(base: .seconds(1), cap: .seconds(60), step: 200) == .seconds(60))
    }
}

@Suite struct RetryAfterBoundsTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func hugeValuesAreClampedNotTrapped() {
        #expect(RetryAfter.parse("1e20", now: now) == .seconds(3600))
        #expect(RetryAfter.parse("9300000000000000", now: now) == .seconds(3600))
        #expect(RetryAfter.parse("86400", now: now, cap: .seconds(600)) == .seconds(600))
        #expect(RetryAfter.read("86400", now: now)?.clamped == true)
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: now) == .seconds(3600))
        // A provider may set any cap: one beyond what a millisecond count holds must not trap either.
        let endless = Duration.seconds(Int64.max)
        let reading = RetryAfter.read("1e20", now: now, cap: endless)
        #expect(reading?.wait == endless && reading?.clamped == true)
        #expect(RetryAfter.parse("9000000000000000", now: now, cap: endless) == .seconds(9_000_000_000_000_000))
    }

    @Test func negativeAndOddValuesMeanNoWaitOrNothing() {
        #expect(RetryAfter.parse("-1e20", now: now) == .zero)
        #expect(RetryAfter.parse("-5", now: now) == .zero)
        #expect(RetryAfter.parse("nan", now: now) == nil)
        #expect(RetryAfter.parse("inf", now: now) == nil)
        #expect(RetryAfter.parse(String(repeating: "9", count: 10_000), now: now) == nil)
    }

    @Test func millisecondsSaturate() {
        #expect(Backoff.milliseconds(.seconds(9_300_000_000_000_000)) == .max)
        #expect(Backoff.milliseconds(.seconds(-9_300_000_000_000_000)) == .min)
    }
}
