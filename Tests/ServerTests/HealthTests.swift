import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Store
import TestSupport
import Testing

@Suite struct HealthTests {
    @Test func healthReadinessAndMetricsAnswer() async throws {
        try await TestDatabase.sqlite.withStore { store in
            try await store.enqueue(JobRequest(kind: "k"))
            Telemetry.bootstrap()
            let ingress = WebhookIngress(store: store, verifiers: [], router: TriggerRouter(store: store, kinds: []))
            let app = Application(router: ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress).makeRouter())
            try await app.test(.router) { client in
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok && String(buffer: ready.body).contains("ready"))
                let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(metrics.contains(#"mlc_jobs{state="pending"} 1"#))
            }
        }
    }

    @Test func readinessFailsWhenTheStoreIsGone() async throws {
        let store = try await TestDatabase.sqlite.makeStore().store
        await store.close()
        let ingress = WebhookIngress(store: store, verifiers: [], router: TriggerRouter(store: store, kinds: []))
        let app = Application(router: ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress).makeRouter())
        try await app.test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
        }
    }
}
