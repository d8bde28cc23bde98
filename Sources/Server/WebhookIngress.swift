import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Store

/// `POST /webhooks/{system}/{subscriptionId}`: verifies the signature over the raw body before
/// anything parses it, records the changes in the inbox (dropping ones already seen), enqueues
/// one job per integration and record, and answers — all in one short transaction.
public struct WebhookIngress: Sendable {
    /// Where subscriptions, the inbox and jobs live.
    public var store: any Store
    /// Verifiers by system name.
    public var verifiers: [String: any WebhookVerifier]
    /// Turns changes into jobs.
    public var router: TriggerRouter
    /// Called after new work was enqueued (wakes the workers).
    public var onEnqueued: @Sendable () -> Void
    /// Logs of deliveries.
    public var logger: Logger

    /// Creates the ingress.
    public init(store: any Store, verifiers: [any WebhookVerifier], router: TriggerRouter, onEnqueued: @escaping @Sendable () -> Void = {}, logger: Logger = Logger(label: "ml-connector.webhooks")) {
        self.store = store
        self.verifiers = Dictionary(verifiers.map { ($0.system.rawValue, $0) }, uniquingKeysWith: { _, last in last })
        self.router = router
        self.onEnqueued = onEnqueued
        self.logger = logger
    }

    /// Handles one delivery whose body has been read (within the size limit).
    public func handle(system systemName: String, subscriptionID: String, headers: HTTPHeaders, body: ByteBuffer, query: String?) async throws -> Response {
        let system = SystemKind(systemName)
        guard let verifier = verifiers[system.rawValue] else {
            Telemetry.countDelivery(system: system.rawValue, outcome: "unknown")
            return Self.json(.notFound, ["error": "no webhook verifier for system \(systemName)"])
        }
        guard let subscription = try await store.subscription(id: subscriptionID), subscription.system == system, subscription.status != .deleted else {
            Telemetry.countDelivery(system: system.rawValue, outcome: "unknown")
            return Self.json(.notFound, ["error": "unknown webhook subscription"])
        }
        let secret = try await store.subscriptionSecret(id: subscription.id)
        let delivery = WebhookDelivery(system: system, subscriptionID: subscription.id, headers: headers, body: body, query: query, receivedAt: Date())
        let context = WebhookSubscriptionContext(id: subscription.id, connectionID: subscription.connectionID, secret: secret)

        let verdict: WebhookVerdict
        do {
            verdict = try verifier.verify(delivery, subscription: context)
        } catch {
            // A body that passed the signature but cannot be read is kept in the audit trail,
            // and answered 400 so the vendor's own retry and log show the problem.
            try await reject(subscription, reason: "unreadable delivery: \(error)")
            Telemetry.countDelivery(system: system.rawValue, outcome: "malformed")
            return Self.json(.badRequest, ["error": "the delivery body could not be read"])
        }

        switch verdict {
        case .rejected(let reason):
            try await reject(subscription, reason: reason)
            Telemetry.countDelivery(system: system.rawValue, outcome: "rejected")
            return Self.json(.unauthorized, ["error": "signature verification failed"])

        case .handshake(let status, let responseHeaders, let responseBody, let newSecret, let confirmWithVendor):
            if let newSecret {
                guard subscription.status == .pending else {
                    try await reject(subscription, reason: "a handshake arrived for a subscription that is already \(subscription.status.rawValue)")
                    Telemetry.countDelivery(system: system.rawValue, outcome: "rejected")
                    return Self.json(.unauthorized, ["error": "the subscription is not awaiting a handshake"])
                }
                try await store.setSubscriptionSecret(id: subscription.id, secret: newSecret, status: confirmWithVendor ? .pending : .active)
                if confirmWithVendor {
                    try await store.enqueue(try JobRequest(kind: SystemJobKind.webhookConfirm, tenant: subscription.tenant, connectionID: subscription.connectionID,
                                                           coalesceKey: SystemJobKind.confirmKey(subscriptionID: subscription.id), payload: ["subscriptionID": subscription.id], source: .webhook))
                    onEnqueued()
                }
            }
            Telemetry.countDelivery(system: system.rawValue, outcome: "handshake")
            var response = Response(status: HTTPResponse.Status(code: status), headers: [:], body: ResponseBody(byteBuffer: ByteBuffer(string: responseBody)))
            for header in responseHeaders {
                if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
            }
            return response

        case .accepted(let events) where events.isEmpty:
            // A heartbeat: the subscription is alive.
            try await store.recordHeartbeat(id: subscription.id, at: Date())
            Telemetry.countDelivery(system: system.rawValue, outcome: "heartbeat")
            return Self.json(.ok, ["received": "0", "new": "0"])

        case .accepted(let events):
            let (fresh, total) = try await accept(events, subscription: subscription)
            Telemetry.countDelivery(system: system.rawValue, outcome: fresh == 0 && total > 0 ? "duplicate" : "accepted")
            if fresh > 0 { onEnqueued() }
            return Self.json(.ok, ["received": "\(total)", "new": "\(fresh)"])
        }
    }

    private func accept(_ events: [ChangeEvent], subscription: WebhookSubscription) async throws -> (fresh: Int, total: Int) {
        // Resolve each event's connection, then route per connection: one integrations query
        // per connection in the delivery, not one per event.
        var byConnection: [String: [ChangeEvent]] = [:]
        var order: [String] = []
        for event in events {
            guard let connectionID = try await connectionID(for: event, subscription: subscription) else {
                logger.warning("webhook change for an account no connection serves", metadata: ["system": "\(subscription.system)", "ref": "\(event.ref)"])
                try await store.appendAudit(AuditEntry(tenant: subscription.tenant, sourceRef: event.ref.description, action: "webhook.unrouted", outcome: .rejected,
                                                       error: "no connection has account \(event.accountRef ?? "?")"))
                continue
            }
            var routed = event
            routed.connectionID = connectionID
            if byConnection[connectionID] == nil { order.append(connectionID) }
            byConnection[connectionID, default: []].append(routed)
        }
        var items: [InboxItem] = []
        for connectionID in order {
            let routed = byConnection[connectionID] ?? []
            let jobs = try await router.jobs(for: routed, connectionID: connectionID, trigger: .webhook)
            items += routed.map { InboxItem(system: subscription.system, event: $0, subscriptionID: subscription.id, jobs: jobs[$0] ?? []) }
        }
        let fresh = try await store.ingest(items)
        return (fresh.count, events.count)
    }

    /// The connection a change belongs to: named by the event, by the subscription, or found
    /// from the vendor account id in the verified payload (one endpoint serving many accounts).
    private func connectionID(for event: ChangeEvent, subscription: WebhookSubscription) async throws -> String? {
        if let id = event.connectionID ?? subscription.connectionID { return id }
        if let account = event.accountRef { return try await store.connection(system: subscription.system, accountRef: account)?.id }
        return nil
    }

    private func reject(_ subscription: WebhookSubscription, reason: String) async throws {
        logger.warning("webhook delivery rejected", metadata: ["subscription": "\(subscription.id)", "reason": "\(reason)"])
        try await store.appendAudit(AuditEntry(tenant: subscription.tenant, integrationID: subscription.integrationID, connectionID: subscription.connectionID,
                                               action: "webhook.reject", outcome: .rejected, error: reason))
    }

    static func json(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        let data = (try? JSONEncoder().encode(fields)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
