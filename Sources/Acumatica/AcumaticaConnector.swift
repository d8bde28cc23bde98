import ConnectorKit
import Foundation

/// Acumatica as the catalogue sees it: the one value this module registers.
public struct AcumaticaConnector: SystemConnector {
    /// Creates the connector.
    public init() {}

    public var provider: ProviderDescription { AcumaticaProvider.description }

    /// A cookie sign-in (user name and password), OAuth client credentials, or OAuth from the facts.
    public var connecting: ConnectionSetup { ConnectionSetup(acceptsToken: false, accountNoun: "tenant", acceptsSignIn: true, acceptsClientCredentials: true) }

    /// Bills are polled for every connection an integration uses.
    public var defaultFeeds: [String] { [AcumaticaFeedEntity.bills.rawValue] }

    public var verifier: (any WebhookVerifier)? { AcumaticaPushVerifier() }

    /// Push notifications are set up on SM302000 by an administrator, not through the API.
    public var subscriptionFacts: SubscriptionFacts? { nil }

    public var actions: [SystemAction] { AcumaticaActions.all }

    /// `bills`, `purchase_orders`, `vendors`, `employees`: a `LastModifiedDateTime` poll each.
    public func feed(named name: String, pipeline: HTTPPipeline, connection: Connection) -> (any ChangeFeed)? {
        guard let entity = AcumaticaFeedEntity(rawValue: name) else { return nil }
        return SignedOutFeed(entity: entity, pipeline: pipeline, connection: connection)
    }

    /// None: Acumatica has no API for push notification destinations (api digest 2.8).
    public func subscriptions(pipeline: HTTPPipeline, connection: Connection) -> (any WebhookSubscriptionAPI)? { nil }

    public func identify(pipeline: HTTPPipeline, connection: Connection) async throws -> ConnectedIdentity {
        try await AcumaticaClient.withSession(pipeline: pipeline, connection: connection) { try await $0.identity() }
    }
}

/// A feed whose poll runs in its own session (`withSession`: a seat while it polls, signed out
/// when it is done).
struct SignedOutFeed: ChangeFeed {
    let entity: AcumaticaFeedEntity
    let pipeline: HTTPPipeline
    let connection: Connection

    var name: String { entity.rawValue }

    func poll(cursor: String?, now: Date) async throws -> FeedPage {
        try await AcumaticaClient.withSession(pipeline: pipeline, connection: connection) { client in
            try await AcumaticaChangeFeed(entity: entity, client: client).poll(cursor: cursor, now: now)
        }
    }
}
