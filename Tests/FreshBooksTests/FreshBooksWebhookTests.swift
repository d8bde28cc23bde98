import ConnectorKit
import FreshBooks
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

/// A loopback receiver that keeps every POST it gets.
final class DeliveryReceiver: Sendable {
    struct Received: Sendable {
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    private let store: NIOLockedValueBox<[Received]>
    let server: LoopbackServer

    static func start() async throws -> DeliveryReceiver {
        let received = NIOLockedValueBox<[Received]>([])
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            var headers = HTTPHeaders()
            for field in request.headers { headers.add(name: field.name.rawName, value: field.value) }
            received.withLockedValue { $0.append(Received(headers: headers, body: body)) }
            return Response(status: .ok)
        }
        return DeliveryReceiver(received: received, server: try await LoopbackServer.start(router))
    }

    /// Starts a receiver for `body` and stops its server before returning.
    static func with<Value>(_ body: (DeliveryReceiver) async throws -> Value) async throws -> Value {
        try await withStarted({ try await start() }, stop: { await $0.server.stop() }, body)
    }

    private init(received: NIOLockedValueBox<[Received]>, server: LoopbackServer) {
        self.store = received
        self.server = server
    }
    var all: [Received] { store.withLockedValue { $0 } }

    func waitFor(count: Int, timeout: Duration = .seconds(5)) async throws -> [Received] {
        try await eventually("\(count) deliveries at the receiver", timeout: timeout, interval: .milliseconds(20)) { all.count >= count }
        return all
    }
}

@Suite struct FreshBooksWebhookTests {
    let verifier = FreshBooksWebhookVerifier()

    /// Registers a callback, receives the verifier, confirms it; returns the verifier.
    func subscribe(_ fixture: FreshBooksFixture, receiver: DeliveryReceiver, event: String) async throws -> (Callback, String) {
        let callback = try await fixture.client.createCallback(event: event, uri: receiver.server.baseURL + "/hook")
        #expect(!callback.verified)
        let verification = try #require(try await receiver.waitFor(count: 1).first)
        let verdict = try verifier.verify(WebhookDelivery(system: .freshbooks, subscriptionID: "s1", headers: verification.headers, body: verification.body),
                                          subscription: WebhookSubscriptionContext(id: "s1", connectionID: "fb-test", secret: nil))
        guard case .handshake(_, _, _, let secret?, let confirm) = verdict else {
            Issue.record("expected a handshake, got \(verdict)")
            throw CancellationError()
        }
        #expect(confirm)
        let verified = try await fixture.client.verifyCallback(id: callback.callbackid, verifier: secret)
        #expect(verified.verified)
        return (verified, secret)
    }

    @Test func deliveriesSignedByTheSandboxVerifyAndTamperingIsRejected() async throws {
        try await FreshBooksFixture.with { fixture in
            try await DeliveryReceiver.with { receiver in
                let (_, secret) = try await subscribe(fixture, receiver: receiver, event: "client.create")
                let created = try await fixture.makeClient()
                let delivery = try #require(try await receiver.waitFor(count: 2).last)
                let context = WebhookSubscriptionContext(id: "s1", connectionID: "fb-test", secret: secret)

                let verdict = try verifier.verify(WebhookDelivery(system: .freshbooks, subscriptionID: "s1", headers: delivery.headers, body: delivery.body), subscription: context)
                guard case .accepted(let events) = verdict else {
                    Issue.record("expected accepted, got \(verdict)")
                    return
                }
                #expect(events.map(\.ref) == [ExternalRef(system: .freshbooks, type: "client", id: "\(created.id)")])
                #expect(events.first?.action == .created && events.first?.accountRef == fixture.sandbox.accountID)

                var changed = Array(delivery.body.readableBytesView)
                changed[changed.count - 1] ^= 0x01
                let tampered = try verifier.verify(WebhookDelivery(system: .freshbooks, subscriptionID: "s1", headers: delivery.headers, body: ByteBuffer(bytes: changed)), subscription: context)
                let wrongSecret = try verifier.verify(WebhookDelivery(system: .freshbooks, subscriptionID: "s1", headers: delivery.headers, body: delivery.body),
                                                      subscription: WebhookSubscriptionContext(id: "s1", connectionID: "fb-test", secret: "not-the-verifier"))
                var headers = delivery.headers
                headers.remove(name: "X-FreshBooks-Hmac-SHA256")
                let missing = try verifier.verify(WebhookDelivery(system: .freshbooks, subscriptionID: "s1", headers: headers, body: delivery.body), subscription: context)
                for verdict in [tampered, wrongSecret, missing] {
                    guard case .rejected = verdict else {
                        Issue.record("expected rejection, got \(verdict)")
                        continue
                    }
                }
            }
        }
    }

    @Test func anAutobillOutcomeSetThroughTheAdminAPIFiresInvoiceUpdate() async throws {
        try await FreshBooksFixture.with { fixture in
            try await DeliveryReceiver.with { receiver in
                _ = try await subscribe(fixture, receiver: receiver, event: "invoice.update")
                let invoice = try await FreshBooksBillTests.invoice(fixture, number: "INV-3", amount: 80)
                let path = "/_sandbox/invoices/\(invoice.id)/autobill"
                #expect(try await FreshBooksSandboxAdminTests.call(fixture.server, .POST, path, #"{"autobill_status": "failed"}"#).status == 200)
                #expect(try await FreshBooksSandboxAdminTests.call(fixture.server, .POST, path, #"{"autobill_status": "bounced"}"#).status == 422)
                let delivery = try #require(try await receiver.waitFor(count: 2).last)
                let form = String(buffer: delivery.body)
                #expect(form.contains("name=invoice.update") && form.contains("object_id=\(invoice.id)"))
                #expect(try await fixture.client.invoice(id: invoice.id).autobillStatus == .failed)
            }
        }
    }

    @Test func aFormOfAMillionFieldsOrAHugeObjectIDIsRefusedUnread() throws {
        let verifier = FreshBooksWebhookVerifier()
        let context = WebhookSubscriptionContext(id: "s1", connectionID: "fb-test", secret: "the-verifier")
        func deliver(_ pairs: [(String, String)], signed: Bool = true) throws -> WebhookVerdict {
            var headers = HTTPHeaders()
            headers.add(name: "X-FreshBooks-Hmac-SHA256", value: signed ? FreshBooksSignature.sign(pairs, verifier: "the-verifier") : "unchecked")
            let body = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            return try verifier.verify(WebhookDelivery(system: .freshbooks, subscriptionID: "s1", headers: headers, body: ByteBuffer(string: body)), subscription: context)
        }
        let many = [("name", "invoice.update"), ("object_id", "1")] + (0..<1_000_000).map { ("f\($0)", "") }
        guard case .rejected(let reason) = try deliver(many, signed: false) else {
            Issue.record("a million-field form was not refused")
            return
        }
        #expect(reason.contains("form fields"), "refused for its size, before re-serialising every field to check the signature: \(reason)")
        #expect(throws: ConnectorError.self) { try deliver([("name", "invoice.update"), ("object_id", String(repeating: "9", count: 100_000))]) }
        guard case .accepted(let events) = try deliver([("name", "invoice.update"), ("object_id", "987654")]) else {
            Issue.record("an ordinary signed delivery was not accepted")
            return
        }
        #expect(events.map(\.ref.id) == ["987654"])
    }

    @Test func aDeliveryNamingOnlyItsBusinessRoutesToTheConnectionOfThatBusiness() throws {
        let verifier = FreshBooksWebhookVerifier()
        let context = WebhookSubscriptionContext(id: "s1", connectionID: nil, secret: "the-verifier")
        func accountRef(_ pairs: [(String, String)]) throws -> String? {
            var headers = HTTPHeaders()
            headers.add(name: "X-FreshBooks-Hmac-SHA256", value: FreshBooksSignature.sign(pairs, verifier: "the-verifier"))
            let body = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            guard case .accepted(let events) = try verifier.verify(WebhookDelivery(system: .freshbooks, subscriptionID: "s1", headers: headers, body: ByteBuffer(string: body)), subscription: context) else {
                Issue.record("a signed delivery was not accepted")
                return nil
            }
            return events.first?.accountRef
        }
        let accounting = try #require(try accountRef([("name", "invoice.update"), ("object_id", "1"), ("account_id", "ACM123"), ("business_id", "439000")]))
        let time = try #require(try accountRef([("name", "time_entry.update"), ("object_id", "2"), ("account_id", ""), ("business_id", "439000")]))
        #expect(try accountRef([("name", "time_entry.update"), ("object_id", "3")]) == nil)
        var connection = Connection(id: "fb", system: .freshbooks, accountRef: "ACM123")
        connection[setting: .businessID] = "439000"
        var other = Connection(id: "fb-2", system: .freshbooks, accountRef: "ZZZ999")
        other[setting: .businessID] = "5"
        #expect(verifier.matches(connection, account: accounting) && verifier.matches(connection, account: time))
        #expect(!verifier.matches(other, account: accounting) && !verifier.matches(other, account: time))
    }

    /// Python, the oracle for the signed message, when the machine has it.
    static let python3 = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: python3 != nil, "python3 is not on PATH"))
    func theSignedMessageIsWhatPythonsJsonDumpsWrites() throws {
        let pairs = [("name", "invoice.update"), ("object_id", "987654"), ("account_id", "ACM123"), ("note", "Café \"quoted\" / slash \\ tab\t😀")]
        let ours = FreshBooksSignature.message(pairs)
        #expect(ours.hasPrefix(#"{"name": "invoice.update", "object_id": "987654""#))
        let python = Process()
        python.executableURL = URL(fileURLWithPath: try #require(Self.python3))
        let script = "import json,sys; print(json.dumps(dict(json.load(sys.stdin))), end='')"
        python.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        python.standardInput = input
        python.standardOutput = output
        try python.run()
        let pairsJSON = try JSONSerialization.data(withJSONObject: pairs.map { [$0.0, $0.1] })
        input.fileHandleForWriting.write(pairsJSON)
        try input.fileHandleForWriting.close()
        let expected = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        try #require(python.terminationStatus == 0, "python3 failed; its answer '\(expected)' is no oracle")
        #expect(ours == expected)
    }
}
