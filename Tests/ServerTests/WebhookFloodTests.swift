import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import NIOHTTP1
import Server
import Store
import TestSupport
import Testing

/// The test verifier under another system name, so this suite's metrics series are its own.
struct RenamedVerifier: WebhookVerifier {
    let system: SystemKind
    let confirmWithVendor: Bool

    func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        if confirmWithVendor, let offered = delivery.headers.first(name: "X-Test-Verifier") {
            return .handshake(status: 200, headers: HTTPHeaders(), body: "", secret: offered, confirmWithVendor: true)
        }
        return try TestWebhookVerifier().verify(delivery, subscription: subscription)
    }
}

@Suite struct WebhookFloodTests {
    /// The count at the start of an aggregated refusal entry ("412 deliveries refused …").
    static func refusedCount(_ text: String) -> Int {
        Int(text.prefix { $0.isNumber }) ?? 0
    }

    func ingress(_ store: SQLStore, system: String, confirmWithVendor: Bool = false, handshakeWindow: Duration = .seconds(900)) -> WebhookIngress {
        WebhookIngress(store: store, verifiers: [RenamedVerifier(system: .custom(system), confirmWithVendor: confirmWithVendor)],
                       router: TriggerRouter(store: store, kinds: ["testkind.change"]), handshakeWindow: handshakeWindow)
    }

    @Test func tenThousandForgedDeliveriesCostCountersNotRows() async throws {
        Telemetry.bootstrap()
        try await TestDatabase.sqlite.withStore { store in
            let subscription = WebhookSubscription(system: .custom("floodhook"), connectionID: nil, status: .active)
            try await store.saveSubscription(subscription, secret: "flood-secret-0123456789")
            let ingress = ingress(store, system: "floodhook")
            let app = Application(router: ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress).makeRouter())
            let started = Date()
            try await app.test(.router) { client in
                for index in 0..<10_000 {
                    let response = try await client.execute(uri: "/webhooks/floodhook/\(subscription.id)", method: .post,
                                                            headers: [HTTPField.Name("X-Test-Signature")!: "forged-\(index)"], body: ByteBuffer(string: #"{"events":[]}"#))
                    #expect(response.status == .unauthorized)
                }
                for system in ["nosystem-a", "nosystem-b"] {
                    #expect(try await client.execute(uri: "/webhooks/\(system)/x", method: .post, body: ByteBuffer(string: "{}")).status == .notFound)
                }
            }
            let minutes = Int(Date().timeIntervalSince1970 / 60) - Int(started.timeIntervalSince1970 / 60) + 1
            try await ingress.rejections.flush(everything: true)
            let rows = try await store.auditEntries(AuditFilter(outcome: .rejected))
            #expect(rows.count <= minutes, "\(rows.count) rows in \(minutes) minute(s)")
            #expect(rows.compactMap(\.error).map(Self.refusedCount).reduce(0, +) == 10_000)
            // Refusals were judged from memory: at most two table reads a second (the recheck
            // interval), not one per delivery.
            let seconds = Date().timeIntervalSince(started)
            let reads = await ingress.directory.tableReads
            #expect(Double(reads) <= seconds * 2 + 3, "\(reads) table reads in \(seconds) s")
            #expect(reads < 10_000 / 20)

            let metrics = await Telemetry.render(store: store)
            let counter = metrics.split(separator: "\n").first { $0.hasPrefix("mlc_webhook_rejections_total") && $0.contains(#"system="floodhook""#) && $0.contains(#"reason="bad_signature""#) }
            #expect(counter?.hasSuffix(" 10000") == true, "\(counter ?? "no series")")
            #expect(!metrics.contains("nosystem"))
        }
    }

    @Test func aVerifierIsACandidateUntilTheVendorConfirmsIt() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let subscription = WebhookSubscription(system: .custom("confirmhook"), connectionID: nil, status: .pending)
            try await store.saveSubscription(subscription, secret: nil)
            let ingress = ingress(store, system: "confirmhook", confirmWithVendor: true)
            let app = Application(router: ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress).makeRouter())
            try await app.test(.router) { client in
                // A stranger plants a verifier: it is only a candidate, and deliveries signed with it are refused.
                let planted = try await client.execute(uri: "/webhooks/confirmhook/\(subscription.id)", method: .post,
                                                       headers: [HTTPField.Name("X-Test-Verifier")!: "planted-verifier-1"], body: ByteBuffer())
                #expect(planted.status == .ok)
                #expect(try await deliver(client, subscription.id, signedWith: "planted-verifier-1") == .unauthorized)
            }
            #expect(try await store.subscriptionSecret(id: subscription.id) == nil)
            // The vendor refuses it: discarded, never confirmed.
            let refused = try await store.confirmCandidateSecret(subscriptionID: subscription.id) { _ in ("refused", false) }
            #expect(refused == "refused")
            #expect(try await store.candidateSecret(id: subscription.id) == nil)
            #expect(try await store.subscriptionSecret(id: subscription.id) == nil)
            #expect(try await store.subscription(id: subscription.id)?.status == .failing)

            try await app.test(.router) { client in
                let offered = try await client.execute(uri: "/webhooks/confirmhook/\(subscription.id)", method: .post,
                                                       headers: [HTTPField.Name("X-Test-Verifier")!: "real-verifier-22"], body: ByteBuffer())
                #expect(offered.status == .ok)
            }
            _ = try await store.confirmCandidateSecret(subscriptionID: subscription.id) { _ in ("ok", true) }
            #expect(try await store.subscription(id: subscription.id)?.status == .active)
            try await app.test(.router) { client in
                let confirmed = try await deliver(client, subscription.id, signedWith: "real-verifier-22")
                let planted = try await deliver(client, subscription.id, signedWith: "planted-verifier-1")
                #expect(confirmed == .ok && planted == .unauthorized)
            }
        }
    }

    /// Posts a delivery to the confirmhook subscription signed with `secret`.
    func deliver(_ client: some TestClientProtocol, _ subscriptionID: String, signedWith secret: String) async throws -> HTTPResponse.Status {
        let body = #"{"events":[{"id":"evt-1","record":"42"}]}"#
        return try await client.execute(uri: "/webhooks/confirmhook/\(subscriptionID)", method: .post,
                                        headers: [HTTPField.Name("X-Test-Signature")!: TestWebhookVerifier.sign(body, secret: secret)], body: ByteBuffer(string: body)).status
    }

    @Test func aVerifierForAnOldRegistrationIsRefused() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let subscription = WebhookSubscription(system: .custom("oldhook"), connectionID: nil, status: .pending)
            try await store.saveSubscription(subscription, secret: nil)
            try await Task.sleep(for: .milliseconds(20))
            let ingress = ingress(store, system: "oldhook", confirmWithVendor: true, handshakeWindow: .milliseconds(10))
            let app = Application(router: ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress).makeRouter())
            try await app.test(.router) { client in
                let late = try await client.execute(uri: "/webhooks/oldhook/\(subscription.id)", method: .post,
                                                    headers: [HTTPField.Name("X-Test-Verifier")!: "late-verifier-1"], body: ByteBuffer())
                #expect(late.status == .unauthorized)
            }
            #expect(try await store.candidateSecret(id: subscription.id) == nil)
        }
    }

    @Test func twoHandshakesRacingForOneSubscriptionHaveOneWinner() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let subscription = WebhookSubscription(system: .custom("racehook"), connectionID: nil, status: .pending)
            try await store.saveSubscription(subscription, secret: nil)
            async let first = store.completeHandshake(id: subscription.id, secret: "first-secret-123")
            async let second = store.completeHandshake(id: subscription.id, secret: "second-secret-456")
            let outcomes = try await [first, second]
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.completeHandshake(id: subscription.id, secret: "third-secret-789") == false)
        }
    }
}
