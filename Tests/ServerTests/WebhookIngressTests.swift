import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Server
import Store
import TestSupport
import Testing

@Suite struct WebhookIngressTests {
    struct Fixture {
        var store: SQLStore
        var app: Application<RouterResponder<BasicRequestContext>>
        var subscription: WebhookSubscription
        var ingress: WebhookIngress
        var secret = "hook-secret-0123456789"
    }

    func fixture(bodyLimit: Int = 4096, secret: String? = "hook-secret-0123456789", connectionID: String? = "hooked") async throws -> Fixture {
        let store = try await TestDatabase.sqlite.makeStore().store
        try await store.addConnection(Connection(id: "hooked", system: .custom("testhook"), accountRef: "acct-1"), credential: Credential(kind: .apiToken, accessToken: "pat-hooked-000"))
        try await store.saveIntegration(IntegrationRecord(id: "sync", kind: "testkind", connections: ["testhook": "hooked"]))
        let subscription = WebhookSubscription(system: .custom("testhook"), connectionID: connectionID, status: secret == nil ? .pending : .active)
        try await store.saveSubscription(subscription, secret: secret)
        let router = TriggerRouter(store: store, kinds: ["testkind.change"])
        let ingress = WebhookIngress(store: store, verifiers: [TestWebhookVerifier()], router: router)
        let server = ServerApp(configuration: ServerConfiguration(webhookBodyLimit: bodyLimit), store: store, ingress: ingress)
        return Fixture(store: store, app: Application(router: server.makeRouter()), subscription: subscription, ingress: ingress)
    }

    /// A fixture for `body`, its store closed before this returns.
    func withFixture<Value>(bodyLimit: Int = 4096, secret: String? = "hook-secret-0123456789", connectionID: String? = "hooked",
                            _ body: (Fixture) async throws -> Value) async throws -> Value {
        try await withStarted({ try await fixture(bodyLimit: bodyLimit, secret: secret, connectionID: connectionID) }, stop: { await $0.store.close() }, body)
    }

    func post(_ client: some TestClientProtocol, _ fixture: Fixture, body: String, signature: String?, system: String = "testhook", subscription: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signature { headers[HTTPField.Name("X-Test-Signature")!] = signature }
        return try await client.execute(uri: "/webhooks/\(system)/\(subscription ?? fixture.subscription.id)", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    let body = #"{"events":[{"id":"evt-1","record":"42"},{"id":"evt-2","record":"43"}]}"#

    @Test func aGoodSignatureIsAcceptedAndEnqueued() async throws {
        try await withFixture { fixture in
            try await fixture.app.test(.router) { client in
                let response = try await post(client, fixture, body: body, signature: TestWebhookVerifier.sign(body, secret: fixture.secret))
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""new":"2""#))
            }
            let jobs = try await fixture.store.jobs(state: .pending, integrationID: "sync", limit: 10)
            #expect(Set(jobs.compactMap(\.coalesceKey)) == ["change:sync:testhook:record:42", "change:sync:testhook:record:43"])
            #expect(try await fixture.store.subscription(id: fixture.subscription.id)?.lastDeliveryAt != nil)
        }
    }

    @Test func aBadOrMissingSignatureIs401RecordedAndNeverEnqueued() async throws {
        try await withFixture { fixture in
            try await fixture.app.test(.router) { client in
                let wrongSecret = try await post(client, fixture, body: body, signature: TestWebhookVerifier.sign(body, secret: "another-secret"))
                #expect(wrongSecret.status == .unauthorized)
                var changed = Array(body.utf8)
                changed[20] ^= 0x01
                let changedBody = String(decoding: changed, as: UTF8.self)
                let changedByte = try await post(client, fixture, body: changedBody, signature: TestWebhookVerifier.sign(body, secret: fixture.secret))
                #expect(changedByte.status == .unauthorized)
                let missing = try await post(client, fixture, body: body, signature: nil)
                #expect(missing.status == .unauthorized)
            }
            #expect(try await fixture.store.jobCounts()[.pending] == 0)
            // Refusals are audited once per subscription per minute, not once each.
            try await fixture.ingress.rejections.flush(everything: true)
            let rejected = try await fixture.store.auditEntries(AuditFilter(outcome: .rejected))
            #expect(rejected.allSatisfy { $0.action == "webhook.reject" })
            #expect(rejected.compactMap(\.error).map(WebhookFloodTests.refusedCount).reduce(0, +) == 3)
            #expect(rejected.count <= 2)
        }
    }

    @Test func anOversizeBodyIs413() async throws {
        try await withFixture(bodyLimit: 1024) { fixture in
            let big = #"{"events":[],"pad":""# + String(repeating: "x", count: 4000) + #""}"#
            try await fixture.app.test(.router) { client in
                let response = try await post(client, fixture, body: big, signature: TestWebhookVerifier.sign(big, secret: fixture.secret))
                #expect(response.status == .contentTooLarge)
            }
            #expect(try await fixture.store.jobCounts()[.pending] == 0)
        }
    }

    @Test func anUnknownSubscriptionOrSystemIs404() async throws {
        try await withFixture { fixture in
            try await fixture.app.test(.router) { client in
                let unknownSubscription = try await post(client, fixture, body: body, signature: "00", subscription: "no-such-subscription")
                let unknownSystem = try await post(client, fixture, body: body, signature: "00", system: "nosystem")
                #expect(unknownSubscription.status == .notFound)
                #expect(unknownSystem.status == .notFound)
            }
        }
    }

    @Test func aDuplicateDeliveryIsEnqueuedOnce() async throws {
        try await withFixture { fixture in
            try await fixture.app.test(.router) { client in
                let signature = TestWebhookVerifier.sign(body, secret: fixture.secret)
                #expect(try await post(client, fixture, body: body, signature: signature).status == .ok)
                // The first job runs meanwhile, so a second job for the record could be enqueued if the delivery were not dropped.
                let claimed = try await fixture.store.claimJobs(worker: "w", kinds: ["testkind.change"], limit: 10, lease: .seconds(30), now: Date())
                #expect(claimed.count == 2)
                let again = try await post(client, fixture, body: body, signature: signature)
                #expect(again.status == .ok)
                #expect(String(buffer: again.body).contains(#""new":"0""#))
            }
            #expect(try await fixture.store.jobCounts()[.pending] == 0)
            #expect(try await fixture.store.jobCounts()[.running] == 2)
        }
    }

    @Test func theHandshakeStoresTheSecretAndEchoesIt() async throws {
        try await withFixture(secret: nil) { fixture in
            try await fixture.app.test(.router) { client in
                let response = try await client.execute(uri: "/webhooks/testhook/\(fixture.subscription.id)", method: .post,
                                                        headers: [HTTPField.Name("X-Test-Handshake")!: "fresh-secret-abcdef"], body: ByteBuffer())
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-Test-Handshake")!] == "fresh-secret-abcdef")
                let signed = try await post(client, fixture, body: body, signature: TestWebhookVerifier.sign(body, secret: "fresh-secret-abcdef"))
                #expect(signed.status == .ok)
            }
            #expect(try await fixture.store.subscription(id: fixture.subscription.id)?.status == .active)
        }
    }

    @Test func anAppWideEndpointRoutesByTheAccountInTheVerifiedPayload() async throws {
        try await withFixture(connectionID: nil) { fixture in
            let routed = #"{"events":[{"id":"evt-9","record":"7","account":"acct-1"},{"id":"evt-10","record":"8","account":"acct-unknown"}]}"#
            try await fixture.app.test(.router) { client in
                let response = try await post(client, fixture, body: routed, signature: TestWebhookVerifier.sign(routed, secret: fixture.secret))
                #expect(response.status == .ok)
            }
            let jobs = try await fixture.store.jobs(state: .pending, integrationID: nil, limit: 10)
            #expect(jobs.map(\.connectionID) == ["hooked"])
            #expect(try await fixture.store.auditEntries(AuditFilter(outcome: .rejected)).map(\.action) == ["webhook.unrouted"])
        }
    }

    /// A second tenant's connection (account acct-2, business 77) and integration.
    func addSecondTenant(_ fixture: Fixture) async throws {
        try await fixture.store.addConnection(Connection(id: "hooked-2", tenant: "second", system: .custom("testhook"), accountRef: "acct-2", settings: ["business": "77"]),
                                              credential: Credential(kind: .apiToken, accessToken: "pat-hooked-002"))
        try await fixture.store.saveIntegration(IntegrationRecord(id: "sync-2", tenant: "second", kind: "testkind", connections: ["testhook": "hooked-2"]))
    }

    @Test func aConnectionsSubscriptionRoutesWithinItsTenantOnly() async throws {
        try await withFixture { fixture in
            try await addSecondTenant(fixture)
            // The first tenant's second account, by account and by business.
            try await fixture.store.addConnection(Connection(id: "hooked-3", system: .custom("testhook"), accountRef: "acct-3", settings: ["business": "33"]),
                                                  credential: Credential(kind: .apiToken, accessToken: "pat-hooked-003"))
            try await fixture.store.saveIntegration(IntegrationRecord(id: "sync-3", kind: "testkind", connections: ["testhook": "hooked-3"]))
            let mixed = #"{"events":[{"id":"evt-1","record":"1","account":"acct-1"},{"id":"evt-2","record":"2","account":"acct-2"},{"id":"evt-3","record":"3","account":"acct-3"},{"id":"evt-4","record":"4"},{"id":"evt-5","record":"5","account":"business:33"},{"id":"evt-6","record":"6","account":"business:77"}]}"#
            try await fixture.app.test(.router) { client in
                let response = try await post(client, fixture, body: mixed, signature: TestWebhookVerifier.sign(mixed, secret: fixture.secret))
                #expect(response.status == .ok)
            }
            let jobs = try await fixture.store.jobs(state: .pending, integrationID: nil, limit: 10)
            let routed = Dictionary(grouping: jobs, by: { $0.integrationID ?? "-" }).mapValues { $0.count }
            #expect(routed == ["sync": 2, "sync-3": 2], "acct-1 and the account-less event stay with the subscription's connection; acct-3 and business 33 go to the tenant's other connection")
            let unrouted = try await fixture.store.auditEntries(AuditFilter(outcome: .rejected))
            #expect(unrouted.count == 2 && unrouted.allSatisfy { $0.action == "webhook.unrouted" }, "another tenant's account and business are not this subscription's to route")
        }
    }

    @Test func anAppWideSubscriptionRoutesAcrossTenantsByAccountOrBusinessAndAnUnknownOneNowhere() async throws {
        try await withFixture(connectionID: nil) { fixture in
            try await addSecondTenant(fixture)
            let mixed = #"{"events":[{"id":"evt-1","record":"1","account":"acct-1"},{"id":"evt-2","record":"2","account":"acct-2"},{"id":"evt-3","record":"3","account":"acct-9"},{"id":"evt-4","record":"4","account":"business:77"}]}"#
            try await fixture.app.test(.router) { client in
                let response = try await post(client, fixture, body: mixed, signature: TestWebhookVerifier.sign(mixed, secret: fixture.secret))
                #expect(response.status == .ok)
            }
            let jobs = try await fixture.store.jobs(state: .pending, integrationID: nil, limit: 10)
            let routed = Dictionary(grouping: jobs, by: { $0.integrationID ?? "-" }).mapValues { $0.count }
            #expect(routed == ["sync": 1, "sync-2": 2])
            #expect(jobs.filter { $0.integrationID == "sync-2" }.allSatisfy { $0.tenant == "second" })
            let unrouted = try await fixture.store.auditEntries(AuditFilter(outcome: .rejected))
            #expect(unrouted.map(\.action) == ["webhook.unrouted"] && unrouted.first?.error?.contains("acct-9") == true)
        }
    }
}
