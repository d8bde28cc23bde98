import ConnectorKit

/// Jira as the catalogue sees it: the one value this module registers.
public struct JiraConnector: SystemConnector {
    /// Creates the connector.
    public init() {}

    public var provider: ProviderDescription { JiraProvider.description }

    /// Basic with email and API token (`--username EMAIL`, the token on standard input), or OAuth.
    public var connecting: ConnectionSetup { ConnectionSetup(acceptsToken: true, accountNoun: "site") }

    /// Issues by JQL `updated` and worklogs by `worklog/updated`, for every connection.
    public var defaultFeeds: [String] { [JiraFeedName.issues, JiraFeedName.worklogs] }

    public var verifier: (any WebhookVerifier)? { JiraWebhookVerifier() }

    /// Dynamic webhooks die after 30 days (digest 3.7): renewed once 10 days old.
    public var subscriptionFacts: SubscriptionFacts? { SubscriptionFacts(renewWithin: .seconds(20 * 86400)) }

    public var actions: [SystemAction] { JiraActions.all }

    public func feed(named name: String, pipeline: HTTPPipeline, connection: Connection) -> (any ChangeFeed)? {
        let client = JiraClient(pipeline: pipeline, connection: connection)
        switch name {
        case JiraFeedName.issues: return JiraIssueFeed(client: client, project: connection[setting: .jiraProject])
        case JiraFeedName.worklogs: return JiraWorklogFeed(client: client)
        default: return nil
        }
    }

    /// Dynamic webhooks for OAuth connections; admin webhooks (a site admin's Basic credential) otherwise.
    public func subscriptions(pipeline: HTTPPipeline, connection: Connection) -> (any WebhookSubscriptionAPI)? {
        let client = JiraClient(pipeline: pipeline, connection: connection)
        return connection.usesOAuth ? JiraDynamicWebhookAPI(client: client) : JiraAdminWebhookAPI(client: client)
    }

    public func identify(pipeline: HTTPPipeline, connection: Connection) async throws -> ConnectedIdentity {
        try await JiraAuth.identify(pipeline: pipeline, connection: connection)
    }
}
