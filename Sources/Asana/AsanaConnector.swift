import ConnectorKit

/// Asana as the catalogue sees it: the one value this module registers.
public struct AsanaConnector: SystemConnector {
    /// Creates the connector.
    public init() {}

    public var provider: ProviderDescription { AsanaProvider.description }

    public var connecting: ConnectionSetup { ConnectionSetup(acceptsToken: true, accountNoun: "workspace") }

    /// Asana's feeds are per watched project or team and come from an integration's configuration.
    public var defaultFeeds: [String] { [] }

    public var verifier: (any WebhookVerifier)? { AsanaWebhookVerifier() }

    /// Asana heartbeats every 8 hours (digest B7); an hour's grace on top.
    public var subscriptionFacts: SubscriptionFacts? { SubscriptionFacts(heartbeatGrace: .seconds(9 * 3600), canResendVerification: false) }

    public var actions: [SystemAction] { AsanaActions.all }

    /// `project:<gid>` is a project's task events; `team:<gid>` a team's new and changed projects.
    public func feed(named name: String, pipeline: HTTPPipeline, connection: Connection) -> (any ChangeFeed)? {
        let client = AsanaClient(pipeline: pipeline, connection: connection)
        if let project = AsanaFeedName.project(from: name) { return AsanaEventsFeed(project: project, client: client) }
        if let team = AsanaFeedName.team(from: name) { return AsanaTeamProjectsFeed(team: team, client: client) }
        return nil
    }

    public func subscriptions(pipeline: HTTPPipeline, connection: Connection) -> (any WebhookSubscriptionAPI)? {
        AsanaWebhookAPI(client: AsanaClient(pipeline: pipeline, connection: connection))
    }

    public func identify(pipeline: HTTPPipeline, connection: Connection) async throws -> ConnectedIdentity {
        let me = try await AsanaClient(pipeline: pipeline, connection: connection).me()
        let style = connection.usesOAuth ? "oauth" : "token"
        return ConnectedIdentity(user: me.email ?? me.gid, accounts: (me.workspaces ?? []).map { workspace in
            AccountChoice(id: workspace.gid, name: workspace.name ?? workspace.gid, detail: style, accountRef: workspace.gid,
                          settings: [SettingKey.workspaceGID.rawValue: workspace.gid, SettingKey.userGID.rawValue: me.gid])
        })
    }
}

/// The names of Asana's feeds, written and read in one place.
public enum AsanaFeedName {
    /// A project's task events.
    public static func project(_ gid: String) -> String { "project:\(gid)" }
    /// A team's projects.
    public static func team(_ gid: String) -> String { "team:\(gid)" }
    /// The project gid of a project feed name.
    public static func project(from name: String) -> String? { name.hasPrefix("project:") ? String(name.dropFirst("project:".count)) : nil }
    /// The team gid of a team feed name.
    public static func team(from name: String) -> String? { name.hasPrefix("team:") ? String(name.dropFirst("team:".count)) : nil }
}
