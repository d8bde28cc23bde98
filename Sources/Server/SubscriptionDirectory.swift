import ConnectorKit
import Foundation
import Store

/// Webhook subscriptions held in memory, so a forged delivery (an unknown id, a bad signature)
/// costs no database read.
///
/// The whole table is small (a few subscriptions per connection) and read at once. It is read
/// again when this process changed a subscription (the store's change count moved), when the
/// copy is older than `ttl` (changes made by other server processes sharing PostgreSQL), and on
/// a miss or a rejection — at most once per `recheckInterval`, so a flood of forged ids or
/// signatures costs at most a few reads a second, while a subscription another process has
/// just created is found at once.
public actor SubscriptionDirectory {
    /// A subscription with its confirmed secret, opened.
    public struct Entry: Sendable {
        /// The subscription.
        public var subscription: WebhookSubscription
        /// Its confirmed secret, if it has one.
        public var secret: String?
    }

    private let store: any Store
    private let ttl: Duration
    private let recheckInterval: Duration
    private var entries: [String: Entry] = [:]
    private var loadedAt: ContinuousClock.Instant?
    private var loadedChangeCount = -1
    private var reads = 0
    /// The table read under way, which callers finding the copy stale join.
    private var inFlight: (task: Task<Loaded, any Error>, changeCount: Int)?
    private var generation = 0
    private var installedGeneration = 0

    /// One read of the table.
    private struct Loaded: Sendable {
        var entries: [String: Entry]
        var changeCount: Int
        var at: ContinuousClock.Instant
        var generation: Int
    }

    /// Creates an empty directory over `store`.
    public init(store: any Store, ttl: Duration = .seconds(10), recheckInterval: Duration = .milliseconds(500)) {
        self.store = store
        self.ttl = ttl
        self.recheckInterval = recheckInterval
    }

    /// The subscription with `id`, from memory when the copy is current.
    public func entry(id: String) async throws -> Entry? {
        if needsReload() { try await reload() }
        if let entry = entries[id] { return entry }
        guard canRecheck() else { return nil }
        try await reload()
        return entries[id]
    }

    /// Reads the subscription again after it refused a delivery, in case it changed in another
    /// process; nil when a read was made too recently to make another.
    public func recheck(id: String) async throws -> Entry? {
        guard canRecheck() else { return nil }
        try await reload()
        return entries[id]
    }

    /// Forgets everything; the next lookup reads the table.
    public func invalidate() {
        loadedAt = nil
        inFlight = nil
    }

    /// How many times the table was read (for tests and metrics).
    public var tableReads: Int { reads }

    private func needsReload() -> Bool {
        guard let loadedAt else { return true }
        return store.subscriptionChangeCount != loadedChangeCount || ContinuousClock.now - loadedAt > ttl
    }

    private func canRecheck() -> Bool {
        guard let loadedAt else { return true }
        return ContinuousClock.now - loadedAt >= recheckInterval
    }

    /// Reads the table once for every caller that finds the copy stale at the same moment:
    /// a burst of deliveries when the copy expires waits on one read, not one read each.
    private func reload() async throws {
        // A read that began before this process's latest change may miss it: not joined.
        let read = inFlight.flatMap { $0.changeCount == store.subscriptionChangeCount ? $0.task : nil } ?? startRead()
        let result = await read.result
        // A finished read, failed or not, is never joined again.
        if inFlight?.task == read { inFlight = nil }
        let loaded = try result.get()
        // The first caller back installs the read; a later caller of the same read, or of an
        // older one, finds its generation installed already.
        guard loaded.generation > installedGeneration else { return }
        entries = loaded.entries
        loadedAt = loaded.at
        loadedChangeCount = loaded.changeCount
        installedGeneration = loaded.generation
    }

    private func startRead() -> Task<Loaded, any Error> {
        generation += 1
        reads += 1
        let (store, generation, changeCount) = (store, generation, store.subscriptionChangeCount)
        let read = Task {
            let at = ContinuousClock.now
            var entries: [String: Entry] = [:]
            for (subscription, secret) in try await store.liveSubscriptionsWithSecrets() {
                entries[subscription.id] = Entry(subscription: subscription, secret: secret)
            }
            return Loaded(entries: entries, changeCount: changeCount, at: at, generation: generation)
        }
        inFlight = (read, changeCount)
        return read
    }
}
