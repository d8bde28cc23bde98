import ConnectorKit
import Engine
import Foundation
import Store

/// Keeps one connection's webhook subscriptions matching what its integrations want, for any
/// system: asks every integration using the connection what it wants now, reads the vendor's
/// list and our rows, plans with the pure `SubscriptionPlan`, and carries the plan out through
/// the connector's `WebhookSubscriptionAPI`. The poll fills any gap meanwhile (webhooks are
/// triggers only).
public struct WebhookUpkeepJob: JobHandler {
    public let kind = SystemJobKind.webhookUpkeep
    let catalog: SystemCatalog
    let integrations: IntegrationRegistry

    /// Creates the handler.
    public init(catalog: SystemCatalog, integrations: IntegrationRegistry = IntegrationRegistry()) {
        self.catalog = catalog
        self.integrations = integrations
    }

    /// What to keep for one connection.
    public struct Payload: Codable, Sendable, Equatable {
        public var connectionID: String
        public var publicURL: String
        /// A fixed list (an operator's one-off upkeep); nil: what the integrations want when it runs.
        public var wanted: [WantedSubscription]?
    }

    /// A recurring upkeep for `connection` (coalesced per connection); `wanted` fixes the list,
    /// nil reads it from the integrations at each run.
    public static func schedule(connection: Connection, publicURL: String, wanted: [WantedSubscription]? = nil, every interval: Duration = .seconds(3600),
                                startingAt: Date = Date()) throws -> JobRequest {
        try JobRequest(kind: SystemJobKind.webhookUpkeep, tenant: connection.tenant, connectionID: connection.id, coalesceKey: "webhook-upkeep:\(connection.id)",
                       payload: Payload(connectionID: connection.id, publicURL: publicURL, wanted: wanted), runAt: startingAt, repeatEvery: interval, source: .schedule)
    }

    /// Where a system's deliveries for our rows go: the row id follows this prefix.
    public static func targetPrefix(publicURL: String, system: SystemKind) -> String {
        publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/webhooks/\(system.rawValue)/"
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        let connection = try await context.requireConnection(payload.connectionID)
        let connector = try catalog.require(connection.system)
        guard let api = connector.subscriptions(pipeline: catalog.pipeline, connection: connection), let facts = connector.subscriptionFacts else {
            throw ConnectorError.permanent("\(connector.provider.displayName) has no webhooks to keep")
        }
        let prefix = Self.targetPrefix(publicURL: payload.publicURL, system: connection.system)
        let wanted = try await payload.wanted.asyncOr {
            try await integrations.webhooks(forConnection: connection.id, context: IntegrationContext(store: context.store, catalog: catalog, now: context.now))
        }
        let vendor = try await api.list()
        let everyRow = try await context.store.subscriptions(connectionID: nil).filter { $0.system == connection.system }
        let rows = everyRow.filter { $0.connectionID == connection.id }
        let others = Set(everyRow.filter { $0.connectionID != connection.id }.map(\.id))
        var known: [KnownSubscription] = []
        for row in rows {
            known.append(KnownSubscription(id: row.id, resource: row.resource ?? "", externalID: row.externalID, active: row.status == .active,
                                           lastSign: [row.lastHeartbeatAt, row.lastDeliveryAt, row.createdAt].compactMap { $0 }.max() ?? row.createdAt,
                                           hasSecret: try await context.store.subscriptionSecret(id: row.id) != nil, updatedAt: row.updatedAt))
        }
        let plan = SubscriptionPlan.plan(wanted: wanted, vendor: vendor, known: known, otherConnections: others, targetPrefix: prefix, facts: facts, now: context.now)

        for id in plan.deleteAtVendor {
            do {
                try await api.delete(id: id)
            } catch ConnectorError.notFound {
                // Already gone: the goal is reached.
            }
        }
        for id in plan.dropRows { try await context.store.removeSubscription(id: id) }
        for (row, externalID) in plan.activate { try await context.store.updateSubscription(id: row, status: .active, externalID: externalID) }
        for (row, externalID) in plan.recordExternalID { try await context.store.updateSubscription(id: row, status: nil, externalID: externalID) }
        for (row, externalID) in plan.resend {
            try await context.store.updateSubscription(id: row, status: .pending, externalID: nil)
            try await api.resendVerification(id: externalID)
        }
        if !plan.renew.isEmpty { try await api.renew(ids: plan.renew) }
        // One wanted webhook that cannot be made (a deleted project) does not stop the rest.
        var refused: [String] = []
        var retryable: (any Error)?
        for wanted in plan.create {
            do {
                try await create(wanted, api: api, prefix: prefix, connection: connection, store: context.store)
            } catch let error as ConnectorError where !error.isRetryable {
                refused.append("\(wanted.resource): \(error)")
                context.logger.warning("webhook not created", metadata: ["resource": "\(wanted.resource)", "error": "\(error)"])
            } catch {
                retryable = retryable ?? error
            }
        }
        if let retryable { throw retryable }
        return JobOutcome(sourceRef: ExternalRef(connection.system, "account", connection.accountRef ?? connection.id).description, unchanged: plan.isEmpty,
                          action: "\(connector.provider.displayName) webhooks: \(plan.create.count) created, \(plan.renew.count) renewed, \(plan.resend.count) re-verified, "
                              + "\(plan.deleteAtVendor.count) removed, \(plan.dropRows.count) stale rows dropped"
                              + (refused.isEmpty ? "" : "; refused: " + refused.joined(separator: "; ")))
    }

    /// Creates one subscription: our row first (the delivery URL names it), then the vendor's.
    private func create(_ wanted: WantedSubscription, api: any WebhookSubscriptionAPI, prefix: String, connection: Connection, store: any Store) async throws {
        let row = WebhookSubscription(tenant: connection.tenant, system: connection.system, connectionID: connection.id, resource: wanted.resource, status: .pending)
        try await store.saveSubscription(row, secret: nil)
        let created: VendorSubscription
        do {
            // Vendors that handshake do so with our ingress before this returns: no lock is held here.
            created = try await api.create(wanted, target: prefix + row.id)
        } catch {
            try await store.removeSubscription(id: row.id)
            throw error
        }
        // Only the id (and active when the vendor verified already): a verification POST may
        // have stored the secret meanwhile.
        try await store.updateSubscription(id: row.id, status: created.verified ? .active : nil, externalID: created.id)
        // A vendor that hands its signing secret back at creation (Jira's dynamic webhooks).
        if let secret = created.signingSecret { try await store.setSubscriptionSecret(id: row.id, secret: secret, status: .active) }
    }
}

extension Optional {
    /// The value, or what `fallback` computes.
    func asyncOr(_ fallback: () async throws -> Wrapped) async rethrows -> Wrapped {
        if let value = self { return value }
        return try await fallback()
    }
}
