import ConnectorKit

/// FreshBooks as the catalogue sees it: the one value this module registers.
public struct FreshBooksConnector: SystemConnector {
    /// Creates the connector.
    public init() {}

    public var provider: ProviderDescription { FreshBooksProvider.description }

    public var connecting: ConnectionSetup { ConnectionSetup(acceptsToken: false, accountNoun: "business") }

    /// Every resource's changes, polled by `updated_min` (digest A5).
    public var defaultFeeds: [String] { FreshBooksResource.allCases.map(\.rawValue) }

    public var verifier: (any WebhookVerifier)? { FreshBooksWebhookVerifier() }

    public var subscriptionFacts: SubscriptionFacts? { SubscriptionFacts(heartbeatGrace: nil, canResendVerification: true) }

    public var actions: [SystemAction] { FreshBooksActions.all }

    public func feed(named name: String, pipeline: HTTPPipeline, connection: Connection) -> (any ChangeFeed)? {
        FreshBooksResource(rawValue: name).map { FreshBooksPoller(resource: $0, client: FreshBooksClient(pipeline: pipeline, connection: connection)) }
    }

    public func subscriptions(pipeline: HTTPPipeline, connection: Connection) -> (any WebhookSubscriptionAPI)? {
        FreshBooksCallbackAPI(client: FreshBooksClient(pipeline: pipeline, connection: connection))
    }

    public func identify(pipeline: HTTPPipeline, connection: Connection) async throws -> ConnectedIdentity {
        let identity = try await FreshBooksAuth(pipeline: pipeline).identity(connection: connection)
        let user = identity.email ?? [identity.first_name, identity.last_name].compactMap { $0 }.joined(separator: " ")
        return ConnectedIdentity(user: user.isEmpty ? "user \(identity.identity_id)" : user, accounts: identity.business_memberships.map(FreshBooksAuth.account))
    }
}
