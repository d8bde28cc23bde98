import AsyncHTTPClient
import ConnectorKit
import FreshBooks
import Foundation
import NIOCore
import Sandbox
import TestSupport
import Testing

@Suite struct FreshBooksResilienceTests {
    @Test func aRefreshRotatesTheTokenAndConcurrent401sSpendOne() async throws {
        try await FreshBooksFixture.with { fixture in
            let before = try await fixture.store.credential(for: fixture.connection.id)
            fixture.sandbox.revokeAccessTokens()
            let client = fixture.client
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<30 { group.addTask { _ = try await client.teamMembers() } }
                try await group.waitForAll()
            }
            #expect(fixture.sandbox.tokenStatistics.requests == 1)
            #expect(fixture.sandbox.tokenStatistics.spentReuse == 0)
            let after = try await fixture.store.credential(for: fixture.connection.id)
            #expect(after.version == before.version + 1 && after.credential.refreshToken != before.credential.refreshToken)

            // The old refresh token is dead at the sandbox.
            let oldRefresh = try #require(before.credential.refreshToken)
            var request = HTTPClientRequest(url: fixture.server.baseURL + "/auth/oauth/token")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let configuration = fixture.sandbox.configuration
            request.body = .bytes(ByteBuffer(string: FormEncoding.encode(["grant_type": "refresh_token", "refresh_token": oldRefresh, "client_id": configuration.clientID,
                                                                          "client_secret": configuration.clientSecret, "redirect_uri": configuration.redirectURI])))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 401)
            #expect(fixture.sandbox.tokenStatistics.spentReuse == 1)
        }
    }

    @Test func a429WithRetryAfterIsHonoured() async throws {
        try await FreshBooksFixture.with { fixture throws in
            var faults = FaultPlan()
            faults.failNext = 1
            faults.failStatus = 429
            faults.retryAfterSeconds = 1
            fixture.sandbox.setFaults(faults)
            let started = ContinuousClock.now
            #expect(try await fixture.client.clients().collect().isEmpty)
            #expect(ContinuousClock.now - started >= .milliseconds(950))
            #expect(fixture.sandbox.totalRequests == 2)
        }
    }

    @Test func aBurstOf400CallsAtTheVendorsLimitMeetsNo429BeyondTheFirst() async throws {
        // The sandbox allows 300 calls in any 5 s; the connection declares the same limit. The
        // bucket keeps 6% of a window in hand (300 ms here), so a loaded machine's scheduling
        // jitter between our clock and the sandbox's arrival times does not tip a window over;
        // with a 1 s window that margin was 60 ms and a busy machine exceeded it.
        try await FreshBooksFixture.with(rateLimit: "300/5s") { fixture in
            var faults = FaultPlan()
            faults.rateLimitPerMinute = 300
            faults.rateLimitWindowSeconds = 5
            fixture.sandbox.setFaults(faults)
            let client = fixture.client
            let failures = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<400 {
                    group.addTask { (try? await client.teamMembers()) == nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 0)
            #expect(fixture.sandbox.faults.rateLimitedCount <= 1)
        }
    }

    @Test func thePollerReportsEachVersionOnce() async throws {
        try await FreshBooksFixture.with { fixture in
            let customer = try await fixture.makeClient()
            let usd = try CurrencyCode("USD")
            var ids: [Int] = []
            for index in 0..<3 {
                let draft = InvoiceDraft(customerID: customer.id, invoiceNumber: "P-\(index)", currencyCode: "USD", lines: [InvoiceLine(name: "W", quantity: 1, unitCost: Money(10, usd))])
                ids.append(try await fixture.client.createInvoice(draft, previousAttemptUncertain: false).id)
            }
            let poller = FreshBooksPoller(resource: .invoices, client: fixture.client)
            let first = try await poller.poll(cursor: nil, now: Date())
            #expect(Set(first.events.map(\.ref.id)) == Set(ids.map(String.init)))
            let second = try await poller.poll(cursor: first.cursor, now: Date())
            #expect(second.events.isEmpty)
            _ = try await fixture.client.markInvoiceSent(id: ids[1])
            let third = try await poller.poll(cursor: second.cursor, now: Date())
            #expect(third.events.map(\.ref.id) == ["\(ids[1])"])
            #expect(third.events.first?.action == .updated)
        }
    }
}
