import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1
import QuickBooks
import Sandbox
import Testing

@Suite struct QuickBooksChangeTests {
    @Test func cdcReportsEachNewVersionOnce() async throws {
        try await QuickBooksFixture.with { fixture in
            let client = fixture.client()
            let poller = QuickBooksPoller(record: .bill, client: client)
            // The first run has no watermark: paged queries find the two seeded bills.
            let first = try await poller.poll(cursor: nil, now: Date())
            #expect(first.events.count == 2)
            let vendor = try await fixture.makeVendor()
            let bill = try await client.createBill(Bill(vendor: vendor.Id, lines: [BillLine(amount: 10, account: try await fixture.account("Contractors"))]), requestID: "cdc-1")
            let second = try await poller.poll(cursor: first.cursor, now: Date())
            #expect(second.events.map(\.ref) == [.quickbooks(.bill, try #require(bill.Id))] && second.events.first?.action == .created)
            #expect(fixture.sandbox.requestCounts["GET /v3/company/\(fixture.sandbox.realmID)/cdc"] == 1)
            // Nothing new: the overlap re-reads the bill but reports nothing.
            let third = try await poller.poll(cursor: second.cursor, now: Date())
            #expect(third.events.isEmpty)
            struct Note: Encodable, Sendable { var PrivateNote: String }
            try await Task.sleep(for: .seconds(1))  // QBO times are whole seconds: a new version needs a new second.
            _ = try await client.update(.bill, id: try #require(bill.Id), change: Note(PrivateNote: "approved"), requestID: "cdc-note", as: Bill.self)
            let fourth = try await poller.poll(cursor: third.cursor, now: Date())
            #expect(fourth.events.map(\.action) == [.updated])
            let full = try await client.changes(.bill, since: Date().addingTimeInterval(-60), as: Bill.self)
            guard case .active(let whole, _, _)? = full.first else { Issue.record("expected the whole bill"); return }
            #expect(whole.TotalAmt == 10)
        }
    }

    @Test func theBillChangedTriggerReadsTheChangedBillsWithOneQuery() async throws {
        try await QuickBooksFixture.with { fixture in
            let trigger = try QuickBooksConnector().action(named: "bill-changed")
            let queries = "GET /v3/company/\(fixture.sandbox.realmID)/query"
            let first = try await trigger.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments()))
            #expect(first.records.count == 2, "the two seeded bills")
            let vendor = try await fixture.makeVendor()
            let bill = try await fixture.client().createBill(Bill(vendor: vendor.Id, lines: [BillLine(amount: 12, account: try await fixture.account("Contractors"))]),
                                                             requestID: "trigger-1")
            let before = fixture.sandbox.requestCounts[queries] ?? 0
            let second = try await trigger.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments(), cursor: first.cursor))
            #expect(second.rows.map { $0[0] } == [try #require(bill.Id)])
            #expect(fixture.sandbox.requestCounts[queries] == before + 1, "one Id IN (…) query, not one read per bill")
            #expect(fixture.sandbox.requestCounts["GET /v3/company/\(fixture.sandbox.realmID)/bill/\(try #require(bill.Id))"] == nil)
        }
    }

    @Test func aGapBeyondThirtyDaysFallsBackToQueries() async throws {
        try await QuickBooksFixture.with { fixture in
            let old = #"{"since":"2020-01-01T00:00:00Z","seen":{}}"#
            let page = try await QuickBooksPoller(record: .vendor, client: fixture.client()).poll(cursor: old, now: Date())
            #expect(page.events.count == 2)
            #expect(fixture.sandbox.requestCounts["GET /v3/company/\(fixture.sandbox.realmID)/cdc"] == nil)
        }
    }

    @Test func signedDeliveriesInBothFormatsBecomeEventsForTheRealm() async throws {
        let token = "verifier-token-for-tests"
        let legacy = #"{"eventNotifications":[{"realmId":"310687","dataChangeEvent":{"entities":[{"id":"1234","operation":"Update","name":"Bill","lastUpdated":"2025-09-08T20:52:31.657Z"}]}}]}"#
        let cloud = #"[{"specversion":"1.0","id":"88cd52aa-33b6-4351-9aa4-47572edbd068","source":"intuit.x","type":"qbo.vendor.created.v1","datacontenttype":"application/json","time":"2025-09-10T21:31:25.179851517Z","intuitentityid":"77","intuitaccountid":"310687","data":{}}]"#
        func deliver(_ body: String, signature: String?, secret: String? = token) throws -> WebhookVerdict {
            var headers = HTTPHeaders()
            if let signature { headers.add(name: "intuit-signature", value: signature) }
            return try QuickBooksWebhookVerifier().verify(WebhookDelivery(system: .quickbooks, subscriptionID: "s", headers: headers, body: ByteBuffer(string: body)),
                                                          subscription: WebhookSubscriptionContext(id: "s", connectionID: nil, secret: secret))
        }
        func sign(_ body: String) -> String { Signature.hmacSHA256(Data(body.utf8), secret: token).base64EncodedString() }

        guard case .accepted(let old) = try deliver(legacy, signature: sign(legacy)), case .accepted(let new) = try deliver(cloud, signature: sign(cloud)) else {
            Issue.record("expected both formats accepted")
            return
        }
        #expect(old.map(\.ref) == [.quickbooks(.bill, "1234")] && old.first?.accountRef == "310687" && old.first?.action == .updated)
        #expect(new.map(\.ref) == [.quickbooks(.vendor, "77")] && new.first?.accountRef == "310687" && new.first?.action == .created)
        #expect(new.first?.occurredAt != nil, "nanosecond CloudEvents times parse")
        for verdict in [try deliver(legacy.replacingOccurrences(of: "1234", with: "1235"), signature: sign(legacy)), try deliver(legacy, signature: nil),
                        try deliver(legacy, signature: sign(legacy), secret: "other"), try deliver(legacy, signature: sign(legacy), secret: nil)] {
            guard case .rejected = verdict else {
                Issue.record("expected rejection, got \(verdict)")
                continue
            }
        }
    }
}
