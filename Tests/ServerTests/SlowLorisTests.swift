import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Server
import Store
import TestSupport
import Testing

@Suite struct SlowLorisTests {
    /// A client that sends one header byte at a time is cut off at the header timeout, while a
    /// normal delivery on another connection is answered meanwhile.
    @Test func aTrickledHeaderIsCutOffWhileDeliveriesFlow() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let subscription = WebhookSubscription(system: .custom("testhook"), connectionID: nil, status: .active)
            try await store.saveSubscription(subscription, secret: "loris-secret-0123456789")
            let ingress = WebhookIngress(store: store, verifiers: [TestWebhookVerifier()], router: TriggerRouter(store: store, kinds: ["testkind.change"]))
            let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, limits: ServerLimits(headerTimeout: .seconds(1), idleTimeout: .seconds(30)))
            let app = ServerApp(configuration: configuration, store: store, ingress: ingress).makeApplication()

            try await app.test(.live) { client in
                let port = try #require(client.port)
                let closed = NIOLockedValueBox(false)
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
                channel.closeFuture.whenComplete { _ in closed.withLockedValue { $0 = true } }
                let header = Array("POST /webhooks/testhook/\(subscription.id) HTTP/1.1\r\nHost: localhost\r\nX-Padding: \(String(repeating: "a", count: 200))\r\n".utf8)
                let started = ContinuousClock.now
                var sent = 0
                for byte in header {
                    if closed.withLockedValue({ $0 }) { break }
                    try? await channel.writeAndFlush(ByteBuffer(bytes: [byte]))
                    sent += 1
                    if sent == 3 {
                        // Meanwhile a real delivery goes through.
                        let body = #"{"events":[]}"#
                        let response = try await client.execute(uri: "/webhooks/testhook/\(subscription.id)", method: .post,
                                                                headers: [HTTPField.Name("X-Test-Signature")!: TestWebhookVerifier.sign(body, secret: "loris-secret-0123456789")],
                                                                body: ByteBuffer(string: body))
                        #expect(response.status == .ok)
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let elapsed = ContinuousClock.now - started
                #expect(closed.withLockedValue { $0 }, "the trickling connection stayed open")
                #expect(sent < header.count)
                #expect(elapsed < .seconds(5), "cut off after \(elapsed)")
                try? await channel.close()
            }
        }
    }

    @Test func healthTakesNoBody() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let ingress = WebhookIngress(store: store, verifiers: [TestWebhookVerifier()], router: TriggerRouter(store: store, kinds: []))
            let app = Application(router: ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress).makeRouter())
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/healthz", method: .get, headers: [.contentLength: "5000"], body: ByteBuffer(repeating: 0, count: 5000))
                #expect(response.status == .contentTooLarge)
            }
        }
    }
}
