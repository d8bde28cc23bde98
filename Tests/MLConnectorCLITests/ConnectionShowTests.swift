import ConnectorKit
import Asana
import Foundation
import Store
import TestSupport
import Testing

@Suite struct ConnectionShowTests {
    @Test func subscriptionHealthIsVisible() async throws {
        let test = try await TestDatabase.sqlite.makeStore()
        let store = test.store
        try await store.addConnection(Connection(id: "asana-show", system: .asana, settings: ["workspace_gid": "1"]), credential: Credential(kind: .apiToken, accessToken: "pat-show-0123456"))
        let fresh = WebhookSubscription(system: .asana, connectionID: "asana-show", externalID: "w1", resource: "p1", status: .active, lastHeartbeatAt: Date())
        let silent = WebhookSubscription(system: .asana, connectionID: "asana-show", externalID: "w2", resource: "p2", status: .active,
                                         lastHeartbeatAt: Date().addingTimeInterval(-12 * 3600), createdAt: Date().addingTimeInterval(-48 * 3600))
        let pending = WebhookSubscription(system: .asana, connectionID: "asana-show", resource: "p3", status: .pending)
        for subscription in [fresh, silent, pending] { try await store.saveSubscription(subscription, secret: nil) }
        await store.close()

        let result = try await PackageExecutable.run("ml-connector", ["connection", "show", "asana-show", "--json", "--data-dir", test.dataDirectory],
                                                     environment: ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let health = Dictionary(uniqueKeysWithValues: (report["subscriptions"] as? [[String: Any]] ?? []).map { ($0["resource"] as? String ?? "", $0["health"] as? String ?? "") })
        #expect(health == ["p1": "ok", "p2": "heartbeat overdue", "p3": "waiting for handshake or verification"])
        #expect(!result.stdout.contains("pat-show-0123456"))
    }

    /// `connection webhook` stores the portal's verifier token sealed and prints the address;
    /// run again with a new token, it keeps the one endpoint the portal already has.
    @Test func aPortalWebhookIsRegisteredOnceAndItsTokenReplaced() async throws {
        let test = try await TestDatabase.sqlite.makeStore()
        try await test.store.addConnection(Connection(id: "qbo-hook", system: .quickbooks), credential: Credential(kind: .oauth2, accessToken: "qbo-access-0123456"))
        await test.store.close()
        var addresses: [String] = []
        for token in ["verifier-token-first-0123", "verifier-token-second-0123"] {
            let result = try await PackageExecutable.run("ml-connector", ["connection", "webhook", "qbo-hook", "--public-url", "https://hooks.example.test/", "--json", "--data-dir", test.dataDirectory],
                                                         environment: ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey, "QUICKBOOKS_VERIFIER_TOKEN": token])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String])
            addresses.append(try #require(answer["url"]))
        }
        #expect(addresses.count == 2 && addresses[0] == addresses[1] && addresses[0].hasPrefix("https://hooks.example.test/webhooks/quickbooks/"))
        let store = try await SQLStore.openSQLite(dataDirectory: test.dataDirectory, keyring: try TestDatabase.keyring())
        let subscriptions = try await store.subscriptions(connectionID: "qbo-hook")
        #expect(subscriptions.count == 1)
        #expect(try await store.subscriptionSecret(id: try #require(subscriptions.first).id) == "verifier-token-second-0123")
        await store.close()
    }
}
