import ConnectorKit
import Server
import Store
import TestSupport
import Testing

@Suite struct SubscriptionDirectoryTests {
    /// A burst of deliveries arriving when the copy is stale waits on one table read: the actor
    /// is re-entered at every read, so each delivery used to start a read of its own.
    @Test func aBurstOfLookupsReadsTheTableOnce() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let subscription = WebhookSubscription(system: .custom("burst"), connectionID: nil, status: .active)
            try await store.saveSubscription(subscription, secret: "burst-secret-0123456789")
            let directory = SubscriptionDirectory(store: store, ttl: .seconds(60), recheckInterval: .seconds(60))
            let found = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<50 { group.addTask { try await directory.entry(id: subscription.id)?.secret } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(found.count == 50 && found.allSatisfy { $0 == "burst-secret-0123456789" })
            #expect(await directory.tableReads == 1)

            // A change this process makes is seen by the next lookup, with one more read.
            try await store.updateSubscription(id: subscription.id, status: .failing, externalID: nil)
            #expect(try await directory.entry(id: subscription.id)?.subscription.status == .failing)
            #expect(await directory.tableReads == 2)
        }
    }
}
