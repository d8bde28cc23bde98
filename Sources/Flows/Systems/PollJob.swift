import ConnectorKit
import Engine
import Foundation
import Store

/// Polls one change feed of one connection from its stored watermark, enqueues a job per
/// changed record for every integration that uses the connection, and advances the watermark
/// in the same transaction (DESIGN "The path of one change", step 1).
public struct PollJob: JobHandler {
    public let kind = SystemJobKind.poll
    let catalog: SystemCatalog
    let routableKinds: Set<String>

    /// Creates the handler; `routableKinds` are the change-job kinds this process runs.
    public init(catalog: SystemCatalog, routableKinds: Set<String>) {
        self.catalog = catalog
        self.routableKinds = routableKinds
    }

    /// What to poll.
    public struct Payload: Codable, Sendable, Equatable {
        public var connectionID: String
        public var feed: String
        /// The cursor to start from while the feed has none stored (a feed's own format); nil
        /// starts from nothing (a first poll).
        public var seed: String?
    }

    /// A recurring poll of `feed` for `connection`, every `interval` (coalesced per feed);
    /// `seed` is the cursor it starts from while none is stored.
    public static func schedule(connection: Connection, feed: String, every interval: Duration, startingAt: Date = Date(), seed: String? = nil) throws -> JobRequest {
        try JobRequest(kind: SystemJobKind.poll, tenant: connection.tenant, connectionID: connection.id, coalesceKey: "poll:\(connection.id):\(feed)",
                       payload: Payload(connectionID: connection.id, feed: feed, seed: seed), runAt: startingAt, repeatEvery: interval, source: .schedule)
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        let connection = try await context.requireConnection(payload.connectionID)
        guard let feed = catalog.feed(named: payload.feed, connection: connection) else {
            throw ConnectorError.permanent("\(connection.system) has no feed named \(payload.feed) in this build")
        }
        let cursor = try await context.store.cursor(connectionID: connection.id, feed: feed.name) ?? payload.seed
        let page = try await feed.poll(cursor: cursor, now: context.now)
        let router = TriggerRouter(store: context.store, kinds: routableKinds)
        // The changes are due since the poll was (not since it ended): in a busy queue they run
        // ahead of work that became due while the poll waited and ran, as the poll did.
        let jobs = try await router.jobs(for: page.events, connectionID: connection.id, trigger: .poll, now: min(job.runAt, context.now))
        let writes = page.events.flatMap { (jobs[$0] ?? []).map(StoreWrite.enqueue) } + [.setCursor(connectionID: connection.id, feed: feed.name, value: page.cursor)]
        return JobOutcome(writes: writes, sourceRef: "\(connection.system):feed:\(feed.name)", unchanged: page.events.isEmpty,
                          action: "poll \(feed.name): \(page.events.count) changed")
    }
}

extension JobContext {
    /// The connection a job works for; a job whose connection was removed fails for good.
    func requireConnection(_ id: String) async throws -> Connection {
        guard let connection = try await store.connection(id: id) else {
            throw ConnectorError.permanent("connection \(id) no longer exists; remove or replay the job once it is connected again")
        }
        return connection
    }
}
