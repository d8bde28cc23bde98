import ConnectorKit
import Engine
import Foundation
import Logging
import Store

/// One verified delivery's changes, waiting for the transaction it will share.
public struct VerifiedChanges: Sendable {
    /// The changes the verifier read from the delivery.
    public var events: [ChangeEvent]
    /// The subscription the delivery came in on.
    public var subscription: WebhookSubscription
}

/// Turns verified deliveries into inbox items: each change's connection, then its jobs.
struct DeliveryRouting: Sendable {
    var store: any Store
    var verifiers: [String: any WebhookVerifier]
    var router: TriggerRouter
    var logger: Logger

    /// The inbox items of verified deliveries that share a transaction: each event's
    /// connection resolved, then routed per connection, so a batch costs one integrations
    /// query per connection in it and one connection lookup per vendor account, not one each
    /// per delivery.
    func items(for deliveries: [VerifiedChanges]) async throws -> [[InboxItem]] {
        var byAccount: [String: String?] = [:]
        var routedPerDelivery: [[ChangeEvent]] = []
        var byConnection: [String: [ChangeEvent]] = [:]
        var order: [String] = []
        for delivery in deliveries {
            let subscription = delivery.subscription
            var routed: [ChangeEvent] = []
            for event in delivery.events {
                guard let connectionID = try await connectionID(for: event, subscription: subscription, byAccount: &byAccount) else {
                    logger.warning("webhook change for an account no connection serves", metadata: ["system": "\(subscription.system)", "ref": "\(event.ref)"])
                    Telemetry.countDelivery(system: subscription.system.rawValue, outcome: "unrouted")
                    try await store.appendAudit(AuditEntry(tenant: subscription.tenant, sourceRef: event.ref.description, action: "webhook.unrouted", outcome: .rejected,
                                                           error: "no connection has account \(event.accountRef ?? "?")"))
                    continue
                }
                var event = event
                event.connectionID = connectionID
                if byConnection[connectionID] == nil { order.append(connectionID) }
                byConnection[connectionID, default: []].append(event)
                routed.append(event)
            }
            routedPerDelivery.append(routed)
        }
        var jobs: [ChangeEvent: [JobRequest]] = [:]
        for connectionID in order {
            jobs.merge(try await router.jobs(for: byConnection[connectionID] ?? [], connectionID: connectionID, trigger: .webhook)) { first, _ in first }
        }
        return zip(deliveries, routedPerDelivery).map { delivery, routed in
            routed.map { InboxItem(system: delivery.subscription.system, event: $0, subscriptionID: delivery.subscription.id, jobs: jobs[$0] ?? []) }
        }
    }

    /// The connection a change belongs to: the one the event or subscription names, unless the
    /// verified payload names a vendor account (FreshBooks `account_id` or `business_id`, a
    /// QuickBooks realm) that connection does not have: then the connection of the
    /// subscription's tenant that has that account, or, for an app-wide subscription (no
    /// connection), of any tenant. An account no such connection has is nil (recorded and
    /// counted by the caller), never guessed. Looked up once per account in a delivery.
    private func connectionID(for event: ChangeEvent, subscription: WebhookSubscription, byAccount: inout [String: String?]) async throws -> String? {
        let named = event.connectionID ?? subscription.connectionID
        guard let account = event.accountRef else { return named }
        let key = (named ?? "") + "\u{0}" + account
        if let known = byAccount[key] { return known }
        let verifier = verifiers[subscription.system.rawValue]
        func serves(_ connection: Connection) -> Bool {
            connection.system == subscription.system && (verifier?.matches(connection, account: account) ?? (connection.accountRef == account))
        }
        let found: String?
        if let named, let connection = try await store.connection(id: named), connection.accountRef == nil || serves(connection) {
            found = named
        } else {
            // A subscription made for a connection speaks for its tenant only.
            let tenant = subscription.connectionID == nil ? nil : subscription.tenant
            if let direct = try await store.connection(system: subscription.system, accountRef: account), tenant == nil || direct.tenant == tenant, serves(direct) {
                found = direct.id
            } else {
                found = try await store.connections(tenant: tenant).first(where: serves)?.id
            }
        }
        byAccount[key] = .some(found)
        return found
    }
}
