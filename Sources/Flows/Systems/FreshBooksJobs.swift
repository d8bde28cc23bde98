import ConnectorKit
import Engine
import FreshBooks
import Foundation
import Store

/// Sends a callback's verifier back to FreshBooks (digest A7 step 2), after the verification
/// POST reached the webhook ingress and the verifier was sealed as the subscription's secret.
public struct FreshBooksWebhookConfirmJob: JobHandler {
    public let kind = "freshbooks.webhook-confirm"
    let pipeline: HTTPPipeline

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        struct Payload: Decodable { var subscriptionID: String }
        let payload = try job.decodePayload(Payload.self)
        guard let subscription = try await context.store.subscription(id: payload.subscriptionID), let connectionID = subscription.connectionID,
              let connection = try await context.store.connection(id: connectionID) else {
            throw ConnectorError.permanent("webhook subscription \(payload.subscriptionID) or its connection no longer exists")
        }
        guard let callbackID = subscription.externalID.flatMap(Int.init) else {
            // The verifier can arrive before the create call's answer recorded the callback id.
            throw ConnectorError.transient("the callback id of subscription \(subscription.id) is not recorded yet")
        }
        // The verifier is a candidate until FreshBooks accepts it; a refused one is discarded.
        let callback = try await context.store.confirmCandidateSecret(subscriptionID: subscription.id) { verifier in
            let callback = try await FreshBooksClient(pipeline: pipeline, connection: connection).verifyCallback(id: callbackID, verifier: verifier)
            return (callback, callback.verified)
        }
        return JobOutcome(sourceRef: "freshbooks:callback:\(callbackID)", action: "confirm FreshBooks callback \(callback.event)")
    }
}

/// Keeps one verified FreshBooks callback per wanted event pointing at this server: creates
/// missing ones, asks again for unverified ones, removes strays (digest D2 step 5).
public struct FreshBooksWebhookUpkeepJob: JobHandler {
    public let kind = "freshbooks.webhook-upkeep"
    let pipeline: HTTPPipeline

    /// What to keep.
    public struct Payload: Codable, Sendable {
        public var connectionID: String
        public var publicURL: String
        public var events: [String]
    }

    /// A recurring upkeep for a connection.
    public static func schedule(connection: Connection, publicURL: String, events: [String] = FreshBooksProvider.webhookEvents, every interval: Duration = .seconds(3600)) throws -> JobRequest {
        try JobRequest(kind: "freshbooks.webhook-upkeep", tenant: connection.tenant, connectionID: connection.id, coalesceKey: "webhook-upkeep:\(connection.id)",
                       payload: Payload(connectionID: connection.id, publicURL: publicURL, events: events), repeatEvery: interval, source: .schedule)
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        let connection = try await context.requireConnection(payload.connectionID)
        let client = FreshBooksClient(pipeline: pipeline, connection: connection)
        let prefix = payload.publicURL + "/webhooks/freshbooks/"
        let callbacks = try await client.callbacks().collect()
        var subscriptions = try await context.store.subscriptions(connectionID: connection.id).filter { $0.system == .freshbooks }
        let plan = CallbackPlan.plan(wanted: payload.events, existing: callbacks, isOurs: { $0.hasPrefix(prefix) })

        // Rows whose callback is gone at FreshBooks are stale; verified callbacks mark theirs active.
        let live = Set(callbacks.map { "\($0.callbackid)" })
        for subscription in subscriptions where subscription.externalID.map({ !live.contains($0) }) ?? false {
            try await context.store.removeSubscription(id: subscription.id)
        }
        subscriptions = subscriptions.filter { $0.externalID.map(live.contains) ?? true }
        for callback in callbacks where callback.verified {
            if let row = subscriptions.first(where: { $0.externalID == "\(callback.callbackid)" }), row.status != .active {
                try await context.store.updateSubscription(id: row.id, status: .active, externalID: nil)
            }
        }
        for id in plan.delete {
            try await client.deleteCallback(id: id)
            for row in subscriptions where row.externalID == "\(id)" { try await context.store.removeSubscription(id: row.id) }
        }
        for id in plan.resend {
            if let row = subscriptions.first(where: { $0.externalID == "\(id)" }) {
                try await context.store.updateSubscription(id: row.id, status: .pending, externalID: nil)
            }
            _ = try await client.resendCallbackVerification(id: id)
        }
        for event in plan.create {
            let subscription = WebhookSubscription(tenant: connection.tenant, system: .freshbooks, connectionID: connection.id, resource: event, status: .pending)
            try await context.store.saveSubscription(subscription, secret: nil)
            let callback = try await client.createCallback(event: event, uri: prefix + subscription.id)
            // Only the id: the verification POST may already have stored the verifier meanwhile.
            try await context.store.updateSubscription(id: subscription.id, status: nil, externalID: "\(callback.callbackid)")
        }
        let changed = !plan.create.isEmpty || !plan.resend.isEmpty || !plan.delete.isEmpty
        return JobOutcome(sourceRef: "freshbooks:account:\(connection.accountRef ?? connection.id)", unchanged: !changed,
                          action: "FreshBooks callbacks: \(plan.create.count) created, \(plan.resend.count) re-verified, \(plan.delete.count) removed")
    }
}
