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

    private func reload() async throws {
        let changeCount = store.subscriptionChangeCount
        var fresh: [String: Entry] = [:]
        for subscription in try await store.subscriptions(connectionID: nil) where subscription.status != .deleted {
            fresh[subscription.id] = Entry(subscription: subscription, secret: try await store.subscriptionSecret(id: subscription.id))
        }
        entries = fresh
        loadedAt = .now
        loadedChangeCount = changeCount
        reads += 1
    }
}
