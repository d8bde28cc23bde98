import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Store

/// The recurring jobs a server keeps: a poll of every feed of every connection an active
/// integration uses (the guarantee behind webhooks), and webhook upkeep when the server has a
/// public URL. Enqueued with coalescing keys, so starting twice schedules nothing twice.
enum Schedules {
    static func ensure(store: SQLStore, catalog: SystemCatalog, pollEvery: Duration = .seconds(300)) async throws {
        var connectionIDs = Set<String>()
        for integration in try await store.integrations(tenant: nil) where integration.state == .active {
            connectionIDs.formUnion(integration.connections.values)
        }
        var writes: [StoreWrite] = []
        for id in connectionIDs.sorted() {
            guard let connection = try await store.connection(id: id) else { continue }
            for feed in catalog.feedNames(for: connection.system) {
                writes.append(.enqueue(try PollJob.schedule(connection: connection, feed: feed, every: pollEvery)))
            }
            if connection.system == .freshbooks, let publicURL = catalog.publicURL {
                writes.append(.enqueue(try FreshBooksWebhookUpkeepJob.schedule(connection: connection, publicURL: publicURL)))
            }
        }
        try await store.apply(writes)
    }
}
