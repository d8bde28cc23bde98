import ConnectorKit
import Foundation
import NIOConcurrencyHelpers
import TestSupport
import Testing

/// Each way a vendor can answer badly, through the real pipeline against a loopback vendor:
/// every one ends within the caller's deadline with a typed, readable `ConnectorError`, and the
/// bearer token never appears in it.
@Suite struct HostileVendorTests {
    struct Shape: Decodable {
        var id: Int
        var name: String
    }

    static let token = "pat-0123456789"
    let connection = Connection(id: "hostile-1", system: .custom("scripted"))

    /// Sends GET `path` under a deadline and returns the error it ended with, and how long it took.
    func failure(_ path: String, deadline: Duration = .seconds(5), decode: Bool = false, provider: ProviderDescription = .testing(retries: 2, timeout: .seconds(3)),
                 server: LoopbackServer) async throws -> (ConnectorError, Duration) {
        let pipeline = HTTPPipeline(credentials: FixedToken(token: Self.token), sleeper: TaskSleeper())
        let started = ContinuousClock.now
        do {
            try await RequestScope.withDeadline(after: deadline) {
                let response = try await pipeline.send(OutboundRequest(method: .GET, url: server.baseURL + path), connection: connection, provider: provider)
                if decode { _ = try response.decode(Shape.self) }
            }
        } catch let error as ConnectorError {
            let elapsed = ContinuousClock.now - started
            #expect(!error.description.contains(Self.token), "\(error)")
            #expect(elapsed < deadline + .seconds(3), "\(path) took \(elapsed)")  // the deadline plus scheduling slack on a loaded 2-core machine
            return (error, elapsed)
        }
        Issue.record("\(path) did not fail")
        return (.permanent("none"), .zero)
    }

    @Test func hostileAnswersEndInTypedErrors() async throws {
        let streamed = NIOLockedValueBox(0)
        try await HostileVendor.with(streamed: streamed) { server in

            // Huge Retry-After: clamped to the cap (1 h), which is more than the pipeline waits in place.
            let (huge, _) = try await failure("/retry-after/1e20", server: server)
            #expect(huge == .rateLimited(retryAfter: .seconds(3600)), "\(huge)")
            let (digits, _) = try await failure("/retry-after/9300000000000000", server: server)
            #expect(digits == .rateLimited(retryAfter: .seconds(3600)), "\(digits)")

            // Negative Retry-After: no wait, the retry budget ends it.
            let (negative, _) = try await failure("/retry-after/-1e20", server: server)
            #expect(negative.kind == "rate_limited", "\(negative)")

            // An HTML page with 200: the decode error names the endpoint, not the page.
            let (html, _) = try await failure("/html", decode: true, server: server)
            #expect(html.description.contains("GET /html") && html.description.contains("not valid JSON"), "\(html)")
            #expect(!html.description.contains("Maintenance") && !html.description.contains("ops@vendor"))

            let (truncated, _) = try await failure("/truncated", decode: true, server: server)
            #expect(truncated.description.contains("GET /truncated"), "\(truncated)")
            #expect(!truncated.description.contains("secret-customer"))

            let (wrong, _) = try await failure("/wrong-types", decode: true, server: server)
            #expect(wrong.description.contains("at id") && wrong.description.contains("expected a number"), "\(wrong)")
            #expect(!wrong.description.contains("seven") && !wrong.description.contains("private-value-42"))

            let (loop, _) = try await failure("/loop", server: server)
            #expect(loop.kind == "permanent" && loop.description.contains("redirected in a loop"), "\(loop)")

            // 200 MB streamed: reading stops past the provider's limit, long before the end.
            var small = ProviderDescription.testing(retries: 2, timeout: .seconds(20))
            small.limits = VendorLimits(maxResponseBytes: 8 * 1024 * 1024)
            let (huge200, _) = try await failure("/huge", deadline: .seconds(30), provider: small, server: server)
            let streamedWhenRefused = streamed.withLockedValue { $0 }
            #expect(huge200.kind == "permanent" && huge200.description.contains("more than 8 MB"), "\(huge200)")
            #expect(streamedWhenRefused < HostileVendor.hugeBytes / 2, "\(streamedWhenRefused) bytes sent before the refusal")

            // A vendor that never answers: the overall deadline, named, not five 30 s timeouts.
            let (hang, elapsed) = try await failure("/hang", deadline: .seconds(2), provider: .testing(retries: 4, timeout: .seconds(30)), server: server)
            #expect(hang.kind == "transient" && hang.description.contains("overall timeout of 2 s"), "\(hang)")
            #expect(elapsed >= .milliseconds(1900))
        }
    }

    @Test func retryWaitsAreReportedAndNeverPassTheDeadline() async throws {
        try await ScriptedVendor.with([.init(status: 503), .init(status: 503, headers: ["Retry-After": "30"])]) { vendor in
            let notices = NIOLockedValueBox<[RetryNotice]>([])
            let sleeper = RecordingSleeper()
            let pipeline = HTTPPipeline(credentials: FixedToken(token: Self.token), sleeper: sleeper)
            await #expect(throws: ConnectorError.self) {
                try await RequestScope.withDeadline(after: .seconds(10), observer: { notice in notices.withLockedValue { $0.append(notice) } }) {
                    _ = try await pipeline.send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/things"), connection: connection, provider: .testing(retries: 4))
                }
            }
            let seen = notices.withLockedValue { $0 }
            // The first 503 was retried (and reported); the second asked for 30 s, past the deadline.
            #expect(seen.count == 1)
            #expect(seen.first?.status == 503 && seen.first?.retry == 1 && seen.first?.maxRetries == 4)
            #expect(seen.first?.endpoint == "GET /things")
            #expect(sleeper.recorded.allSatisfy { $0 < .seconds(10) })
            #expect(vendor.requests.count == 2)
        }
    }

    @Test func noticeReadsAsALine() {
        let notice = RetryNotice(system: .custom("freshbooks"), vendor: "FreshBooks", endpoint: "GET /x", status: 503, retry: 2, maxRetries: 4, wait: .milliseconds(2500))
        #expect(notice.description == "FreshBooks answered 503; retry 2 of 4 in 3 s")
    }
}
