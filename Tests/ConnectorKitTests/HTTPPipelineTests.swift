import ConnectorKit
import Foundation
import NIOCore
import TestSupport
import Testing

@Suite struct HTTPPipelineTests {
    let connection = Connection(id: "scripted-1", system: .custom("scripted"))

    func pipeline(_ sleeper: RecordingSleeper) -> HTTPPipeline {
        HTTPPipeline(credentials: FixedToken(token: "pat-0123456789"), sleeper: sleeper)
    }

    @Test func retryAfterDeltaSecondsIsHonoured() async throws {
        try await ScriptedVendor.with([.init(status: 429, headers: ["Retry-After": "7"]), .init(status: 429, headers: ["Retry-After": "7"])]) { vendor in
            let sleeper = RecordingSleeper()
            let response = try await pipeline(sleeper).send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/things"), connection: connection, provider: .testing())
            #expect(response.status == 200)
            #expect(vendor.requests.count == 3)
            // Each retry waited at least what the vendor asked (the bucket pause and the retry wait).
            #expect(sleeper.recorded.filter { $0 >= .seconds(6) }.count >= 2)
            // The sleeper does not sleep, so the second 429 comes while the first pause's retry
            // still holds its place: the next request waits one refill interval behind it.
            #expect(sleeper.recorded.allSatisfy { $0 <= .milliseconds(7_001) }, "\(sleeper.recorded)")
        }
    }

    @Test func retryAfterHTTPDateIsHonoured() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // Two minutes ahead: however slow the machine, most of it is still ahead when parsed.
        let date = formatter.string(from: Date().addingTimeInterval(120))
        try await ScriptedVendor.with([.init(status: 503, headers: ["Retry-After": date])]) { vendor in
            let sleeper = RecordingSleeper()
            _ = try await pipeline(sleeper).send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/things"), connection: connection, provider: .testing(maxInlineWait: .seconds(300)))
            #expect(vendor.requests.count == 2)
            let longest = sleeper.recorded.max() ?? .zero
            #expect(longest >= .seconds(90) && longest <= .seconds(121), "waited \(longest)")
        }
    }

    /// The pipeline tells the bucket when each answer came back. Two a minute (an allowance of
    /// 0.6 s for the way): the third request waits a minute from the first's answer, a few
    /// milliseconds after its send, not a minute and the allowance.
    @Test func theNextWindowStartsFromTheAnswerOfTheRequestALimitBefore() async throws {
        try await ScriptedVendor.with([]) { vendor in
            let sleeper = RecordingSleeper()
            let pipeline = pipeline(sleeper)
            let provider = ProviderDescription.testing(rateLimit: RateLimit(requests: 2, per: .seconds(60), burst: 2))
            #expect(provider.rateLimit.allowance == .milliseconds(600))
            for _ in 0..<3 {
                _ = try await pipeline.send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/things"), connection: connection, provider: provider)
            }
            let third = sleeper.recorded.max() ?? .zero
            #expect(third >= .seconds(59) && third < .milliseconds(60_300), "the third waited \(third)")
        }
    }

    @Test func givesUpAfterTheRetryBudget() async throws {
        try await ScriptedVendor.with(Array(repeating: .init(status: 503), count: 10)) { vendor in
            let sleeper = RecordingSleeper()
            await #expect(throws: ConnectorError.self) {
                try await pipeline(sleeper).send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/things"), connection: connection, provider: .testing(retries: 3))
            }
            #expect(vendor.requests.count == 4)
        }
    }

    @Test func aLongRetryAfterIsHandedToTheEngine() async throws {
        try await ScriptedVendor.with([.init(status: 429, headers: ["Retry-After": "600"])]) { vendor in
            do {
                _ = try await pipeline(RecordingSleeper()).send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/things"), connection: connection, provider: .testing(maxInlineWait: .seconds(60)))
                Issue.record("expected rateLimited")
            } catch let ConnectorError.rateLimited(retryAfter) {
                #expect(retryAfter == .seconds(600))
            }
            #expect(vendor.requests.count == 1)
        }
    }

    @Test func postWithoutIdempotencyKeyIsNotRepeatedAfterItMayHaveArrived() async throws {
        try await ScriptedVendor.with([.init(status: 502), .init(status: 504)]) { vendor in
            var request = OutboundRequest(method: .POST, url: vendor.server.baseURL + "/invoices")
            request.body = ByteBuffer(string: "{}")
            await #expect(throws: ConnectorError.self) {
                try await pipeline(RecordingSleeper()).send(request, connection: connection, provider: .testing())
            }
            #expect(vendor.requests.count == 1)
        }
    }

    @Test func postWithIdempotencyKeyIsRepeatedWithTheKey() async throws {
        try await ScriptedVendor.with([.init(status: 502), .init(status: 504)]) { vendor in
            let request = OutboundRequest(method: .POST, url: vendor.server.baseURL + "/invoices", body: ByteBuffer(string: "{}"), idempotencyKey: "job-42")
            let response = try await pipeline(RecordingSleeper()).send(request, connection: connection, provider: .testing(idempotencyHeader: "Idempotency-Key"))
            #expect(response.status == 200)
            #expect(vendor.requests.count == 3)
            #expect(vendor.requests.allSatisfy { $0.idempotencyKey == "job-42" })
        }
    }

    @Test func postThatTimedOutIsNotRepeatedButGetIs() async throws {
        try await ScriptedVendor.with([.init(status: 200, delay: .seconds(2)), .init(status: 200, delay: .seconds(2))]) { vendor in
            let provider = ProviderDescription.testing(timeout: .milliseconds(300))
            await #expect(throws: ConnectorError.self) {
                try await pipeline(RecordingSleeper()).send(OutboundRequest(method: .POST, url: vendor.server.baseURL + "/invoices", body: ByteBuffer(string: "{}")), connection: connection, provider: provider)
            }
            #expect(vendor.requests.count == 1)
            let response = try await pipeline(RecordingSleeper()).send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/invoices"), connection: connection, provider: provider)
            #expect(response.status == 200)
            #expect(vendor.requests.count == 3)
        }
    }

    @Test func postIsRepeatedWhenNoConnectionCouldBeMade() async throws {
        // Bind and release a port so nothing listens on it.
        let vendor = try await ScriptedVendor.start([])
        let url = vendor.server.baseURL + "/invoices"
        await vendor.server.stop()
        let sleeper = RecordingSleeper()
        do {
            _ = try await pipeline(sleeper).send(OutboundRequest(method: .POST, url: url, body: ByteBuffer(string: "{}")), connection: connection, provider: .testing(retries: 2, timeout: .seconds(1)))
            Issue.record("expected failure")
        } catch let ConnectorError.transient(message) {
            #expect(message.contains("unreachable after 3 attempts"), "\(message)")
        }
        #expect(sleeper.recorded.count <= 2)
    }

    @Test func statusesMapToErrorsACallerCanSwitchOn() async throws {
        try await ScriptedVendor.with([
            .init(status: 404, body: #"{"error":"gone"}"#), .init(status: 409), .init(status: 422, body: #"{"errors":[{"message":"name required"}]}"#), .init(status: 403),
        ]) { vendor in
            let pipeline = pipeline(RecordingSleeper())
            let url = vendor.server.baseURL + "/x"
            func kind() async -> String {
                do {
                    _ = try await pipeline.send(OutboundRequest(method: .GET, url: url), connection: connection, provider: .testing())
                    return "ok"
                } catch let error as ConnectorError {
                    return error.kind
                } catch {
                    return "other"
                }
            }
            #expect(await kind() == "not_found")
            #expect(await kind() == "conflict")
            #expect(await kind() == "validation")
            #expect(await kind() == "permanent")
        }
    }

    @Test func exchangesAreRecordedRedactedForTheAuditTrail() async throws {
        try await ScriptedVendor.with([.init(status: 503, headers: ["X-Request-Id": "req-7"], body: #"{"error":"boom","access_token":"leaked-token-123"}"#)]) { vendor in
            let recorder = ExchangeRecorder()
            await ExchangeRecorder.$current.withValue(recorder) {
                _ = try? await pipeline(RecordingSleeper()).send(OutboundRequest(method: .GET, url: vendor.server.baseURL + "/x?api_key=querysecret1"), connection: connection, provider: .testing())
            }
            let exchanges = recorder.recorded
            try #require(exchanges.count == 2)
            #expect(exchanges[0].status == 503 && exchanges[0].vendorRequestID == "req-7")
            #expect(exchanges[1].status == 200)
            let text = "\(exchanges)"
            #expect(!text.contains("querysecret1"))
            #expect(!text.contains("leaked-token-123"))
            #expect(!text.contains("pat-0123456789"))
            #expect(vendor.requests.allSatisfy { $0.authorization == "Bearer pat-0123456789" })
        }
    }
}
