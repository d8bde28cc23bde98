import ConnectorKit

/// QuickBooks Online as the catalogue sees it: the one value this module registers.
public struct QuickBooksConnector: SystemConnector {
    /// Creates the connector.
    public init() {}

    public var provider: ProviderDescription { QuickBooksProvider.description }

    /// OAuth only; the account is the company (realm) named on the redirect (`--company`).
    public var connecting: ConnectionSetup { ConnectionSetup(acceptsToken: false, accountNoun: "company") }

    /// The entities the integrations read, each polled by CDC (api digest 1.6).
    public var defaultFeeds: [String] { QuickBooksPoller.defaultRecords.map(\.rawValue) }

    public var verifier: (any WebhookVerifier)? { QuickBooksWebhookVerifier() }

    /// Nil: QuickBooks webhooks are set up in the developer portal, with no API to keep them (api digest 1.7).
    public var subscriptionFacts: SubscriptionFacts? { nil }

    public var actions: [SystemAction] { QuickBooksActions.all }

    public func feed(named name: String, pipeline: HTTPPipeline, connection: Connection) -> (any ChangeFeed)? {
        guard let record = QuickBooksRecord(rawValue: name), QuickBooksPoller.defaultRecords.contains(record) || record == .invoice || record == .payment else { return nil }
        return QuickBooksPoller(record: record, client: QuickBooksClient(pipeline: pipeline, connection: connection))
    }

    /// Nil: there is no webhook subscription API (api digest 1.7).
    public func subscriptions(pipeline: HTTPPipeline, connection: Connection) -> (any WebhookSubscriptionAPI)? { nil }

    public func identify(pipeline: HTTPPipeline, connection: Connection) async throws -> ConnectedIdentity {
        try await QuickBooksAuth(pipeline: pipeline).identity(connection: connection)
    }
}

extension QuickBooksPoller {
    /// The entities polled for every connection an integration uses.
    public static let defaultRecords: [QuickBooksRecord] = [.vendor, .customer, .bill, .journalentry, .class, .department, .account]
}
