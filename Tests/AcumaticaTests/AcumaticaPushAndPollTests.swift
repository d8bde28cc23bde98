import Acumatica
import ConnectorKit
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

/// A receiver that keeps every push as it arrived, headers and raw body.
final class PushReceiver: Sendable {
    let received: NIOLockedValueBox<[(HTTPHeaders, ByteBuffer)]>
    let server: LoopbackServer

    init() async throws {
        let received = NIOLockedValueBox<[(HTTPHeaders, ByteBuffer)]>([])
        self.received = received
        let router = Router()
        router.post("/push") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPHeaders()
            for field in request.headers { headers.add(name: field.name.rawName, value: field.value) }
            received.withLockedValue { $0.append((headers, body)) }
            return Response(status: .ok)
        }
        server = try await LoopbackServer.start(router)
    }

    var url: String { server.baseURL + "/push" }
    var count: Int { received.withLockedValue { $0.count } }
}

@Suite struct AcumaticaPushAndPollTests {
    static let subscription = WebhookSubscriptionContext(id: "acu-push", connectionID: "acu-test", secret: AcumaticaSandbox.Configuration().pushSecret)

    @Test func aPushWithTheSharedSecretIsAcceptedAndAForgeryIsRefused() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let receiver = try await PushReceiver()
        defer { Task { await receiver.server.stop() } }
        fixture.sandbox.configurePush(url: receiver.url)
        let client = fixture.client
        _ = try await client.approveBill(referenceNbr: "000003")
        await client.signOut()
        try await eventually("the push", timeout: .seconds(5)) { receiver.count == 1 }
        let (headers, body) = receiver.received.withLockedValue { $0[0] }
        let verifier = AcumaticaPushVerifier()
        guard case .accepted(let events) = try verifier.verify(WebhookDelivery(system: .acumatica, subscriptionID: "acu-push", headers: headers, body: body), subscription: Self.subscription) else {
            Issue.record("the genuine push was refused")
            return
        }
        #expect(events.map(\.ref) == [.acumatica(.bill, "Bill/000003")] && events.first?.action == .updated && events.first?.accountRef == "SandboxCo")

        var forged = headers
        forged.replaceOrAdd(name: AcumaticaProvider.pushSecretHeader, value: "guess")
        guard case .rejected = try verifier.verify(WebhookDelivery(system: .acumatica, subscriptionID: "acu-push", headers: forged, body: body), subscription: Self.subscription) else {
            Issue.record("a wrong secret was accepted")
            return
        }
        var missing = headers
        missing.remove(name: AcumaticaProvider.pushSecretHeader)
        guard case .rejected = try verifier.verify(WebhookDelivery(system: .acumatica, subscriptionID: "acu-push", headers: missing, body: body), subscription: Self.subscription) else {
            Issue.record("a push without the header was accepted")
            return
        }
    }

    @Test func thePollFindsWhatADroppedPushMissedAndOverlapsWithoutRepeating() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let receiver = try await PushReceiver()
        defer { Task { await receiver.server.stop() } }
        fixture.sandbox.configurePush(url: receiver.url)
        var client = fixture.client
        client.pageSize = 2
        let feed = AcumaticaChangeFeed(entity: .bills, client: client)
        let first = try await feed.poll(cursor: nil, now: Date())
        #expect(first.events.count == 3)
        let quiet = try await feed.poll(cursor: first.cursor, now: Date())
        #expect(quiet.events.isEmpty, "the overlap re-reads, the seen versions drop")

        fixture.sandbox.setFaults({ var plan = FaultPlan(); plan.dropWebhooks = true; return plan }())
        _ = try await client.approveBill(referenceNbr: "000003")
        #expect(receiver.count == 0 && fixture.sandbox.pushDeliveries == 1)
        let gap = try await feed.poll(cursor: quiet.cursor, now: Date())
        #expect(gap.events.map(\.ref) == [.acumatica(.bill, "Bill/000003")])
        let select = fixture.sandbox.requestCounts.keys.contains { $0.hasPrefix("GET /entity/Default/24.200.001/Bill") }
        #expect(select)
        await client.signOut()
    }

    @Test func pushRowsBecomeEventsByTheirKeys() throws {
        let body = #"{"Inserted":[{"Type":"Bill","ReferenceNbr":"000159","Status":"Open"},{"VendorID":"ACME"}],"Deleted":[{"Type":"Bill","ReferenceNbr":"000159","Status":"Balanced"}],"#
            + #""Query":"ML-Bills","CompanyId":"SandboxCo","Id":"7f1c","TimeStamp":42,"AdditionalInfo":{}}"#
        let push = try AcumaticaPush.parse(Data(body.utf8))
        let events = push.events(connectionID: "c")
        #expect(events.map(\.ref) == [.acumatica(.bill, "Bill/000159"), .acumatica(.vendor, "ACME")])
        #expect(events.map(\.action) == [.updated, .created] && push.timeStamp == 42)
        #expect(Set(events.map(\.eventID)).count == 2 && events[0].eventID.contains("7f1c"))
        #expect(throws: ConnectorError.self) { try AcumaticaPush.parse(Data("{}".utf8)) }
    }
}
