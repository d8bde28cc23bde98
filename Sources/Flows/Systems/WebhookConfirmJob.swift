import ConnectorKit
import Engine
import Foundation
import Store

/// Sends a verifier back to the vendor after the verification delivery reached the ingress
/// and the verifier was sealed as the subscription's secret (FreshBooks, digest A7 step 2).
public struct WebhookConfirmJob: JobHandler {
    public let kind = SystemJobKind.webhookConfirm
    let catalog: SystemCatalog

    /// Creates the handler.
    public init(catalog: SystemCatalog) {
        self.catalog = catalog
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        struct Payload: Decodable { var subscriptionID: String }
        let payload = try job.decodePayload(Payload.self)
        guard let subscription = try await context.store.subscription(id: payload.subscriptionID), let connectionID = subscription.connectionID,
              let connection = try await context.store.connection(id: connectionID) else {
            throw ConnectorError.permanent("webhook subscription \(payload.subscriptionID) or its connection no longer exists")
        }
        guard let externalID = subscription.externalID else {
            // The verifier can arrive before the create call's answer recorded the vendor's id.
            throw ConnectorError.transient("the vendor id of subscription \(subscription.id) is not recorded yet")
        }
        let connector = try catalog.require(connection.system)
        guard let api = connector.subscriptions(pipeline: catalog.pipeline, connection: connection) else {
            throw ConnectorError.permanent("\(connector.provider.displayName) has no webhooks to confirm")
        }
        // The verifier is a candidate until the vendor accepts it; a refused one is discarded,
        // so a stranger who knows the URL cannot plant a secret.
        _ = try await context.store.confirmCandidateSecret(subscriptionID: subscription.id) { verifier in
            let verified = try await api.confirm(id: externalID, secret: verifier)
            return (verified, verified)
        }
        return JobOutcome(sourceRef: ExternalRef(connection.system, "subscription", externalID).description,
                          action: "confirm \(connector.provider.displayName) webhook \(subscription.resource ?? externalID)")
    }
}
