import ConnectorKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import QuickBooks
import Sandbox
import TestSupport
import Testing

/// The sandbox's signed deliveries, received over loopback and read by our verifier; and the
/// poll that finds what a dropped delivery did not say.
@Suite struct QuickBooksDeliveryTests {
    /// A webhook endpoint on loopback that keeps what it receives.
    final class Receiver: Sendable {
        let received = NIOLockedValueBox<[(signature: String?, body: ByteBuffer)]>([])
        let server: SandboxServer

        init() async throws {
            let router = Router()
            let received = received
            router.post("/hook") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                received.withLockedValue { $0.append((request.headers[HTTPField.Name("intuit-signature")!], body)) }
                return Response(status: .ok)
            }
            server = try await SandboxServer.start(router)
        }

        var url: String { server.baseURL + "/hook" }
    }

    @Test(arguments: ["cloudevents", "legacy"]) func deliveriesAreSignedAndNameTheRealm(format: String) async throws {
        let receiver = try await Receiver()
        defer { Task { await receiver.server.stop() } }
        try await QuickBooksFixture.with { fixture in
            fixture.sandbox.addWebhookEndpoint(url: receiver.url, format: format)
            var faults = FaultPlan()
            faults.duplicateWebhooks = true
            fixture.sandbox.setFaults(faults)
            let vendor = try await fixture.makeVendor()
            try await eventually("two copies of the delivery") { receiver.received.withLockedValue { $0.count } == 2 }
            let token = fixture.sandbox.configuration.verifierToken
            var eventIDs: Set<String> = []
            for delivery in receiver.received.withLockedValue({ $0 }) {
                var headers = HTTPHeaders()
                headers.add(name: "intuit-signature", value: try #require(delivery.signature))
                let verdict = try QuickBooksWebhookVerifier().verify(WebhookDelivery(system: .quickbooks, subscriptionID: "s", headers: headers, body: delivery.body),
                                                                     subscription: WebhookSubscriptionContext(id: "s", connectionID: nil, secret: token))
                guard case .accepted(let events) = verdict else {
                    Issue.record("expected the delivery accepted, got \(verdict)")
                    continue
                }
                #expect(events.map(\.ref) == [.quickbooks(.vendor, vendor.Id)] && events.first?.accountRef == fixture.sandbox.realmID && events.first?.action == .created)
                eventIDs.formUnion(events.map(\.eventID))
            }
            #expect(eventIDs.count == 1, "a duplicated delivery carries the same event id, so the inbox drops the copy")
        }
    }

    @Test func theCDCPollFindsWhatADroppedDeliveryLeftOut() async throws {
        let receiver = try await Receiver()
        defer { Task { await receiver.server.stop() } }
        try await QuickBooksFixture.with { fixture in
            fixture.sandbox.addWebhookEndpoint(url: receiver.url)
            let poller = QuickBooksPoller(record: .bill, client: fixture.client())
            let start = try await poller.poll(cursor: nil, now: Date())
            let vendor = try await fixture.makeVendor()
            try await eventually("the vendor's delivery") { receiver.received.withLockedValue { $0.count } == 1 }
            var faults = FaultPlan()
            faults.dropWebhooks = true
            fixture.sandbox.setFaults(faults)
            let bill = try await fixture.client().createBill(Bill(vendor: vendor.Id, lines: [BillLine(amount: 7, account: try await fixture.account("Contractors"))]), requestID: "gap-1")
            try await eventually("the dropped delivery") { fixture.sandbox.deliveries.dropped == 1 }
            #expect(receiver.received.withLockedValue { $0.count } == 1 && fixture.sandbox.deliveries.sent == 1, "only the vendor's delivery arrived")
            let page = try await poller.poll(cursor: start.cursor, now: Date())
            #expect(page.events.map(\.ref) == [.quickbooks(.bill, try #require(bill.Id))])
        }
    }
}
