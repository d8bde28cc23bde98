import Asana
import ConnectorKit
import Engine
import FreshBooks
import Foundation

/// What this build knows of each external system: its change feeds, webhook verifiers and the
/// jobs that keep its subscriptions and run its actions. Server and CLI read it, so adding a
/// system is one entry here.
public struct SystemCatalog: Sendable {
    /// The pipeline every system client uses.
    public let pipeline: HTTPPipeline
    /// The URL vendors reach this server at, for webhook registration (nil: no webhooks).
    public let publicURL: String?

    /// Creates the catalog.
    public init(pipeline: HTTPPipeline, publicURL: String?) {
        self.pipeline = pipeline
        self.publicURL = publicURL?.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    /// The feed `name` of a connection.
    public func feed(named name: String, connection: Connection) -> (any ChangeFeed)? {
        switch connection.system {
        case .freshbooks:
            FreshBooksResource(rawValue: name).map { FreshBooksPoller(resource: $0, client: FreshBooksClient(pipeline: pipeline, connection: connection)) }
        case .asana:
            if name.hasPrefix("project:") {
                AsanaEventsFeed(project: String(name.dropFirst("project:".count)), client: AsanaClient(pipeline: pipeline, connection: connection))
            } else if name.hasPrefix("team:") {
                AsanaTeamProjectsFeed(team: String(name.dropFirst("team:".count)), client: AsanaClient(pipeline: pipeline, connection: connection))
            } else {
                nil
            }
        default:
            nil
        }
    }

    /// Every feed name of a system that needs no configuration (Asana feeds are per watched
    /// project, named `project:<gid>`, and come from an integration's configuration).
    public func feedNames(for system: SystemKind) -> [String] {
        switch system {
        case .freshbooks: FreshBooksResource.allCases.map(\.rawValue)
        default: []
        }
    }

    /// Webhook verifiers of every system.
    public var verifiers: [any WebhookVerifier] {
        [FreshBooksWebhookVerifier(), AsanaWebhookVerifier()]
    }

    /// The system jobs; `routableKinds` are the integration change-job kinds polls route to.
    public func handlers(routableKinds: Set<String>) -> [any JobHandler] {
        [
            PollJob(catalog: self, routableKinds: routableKinds),
            FreshBooksWebhookConfirmJob(pipeline: pipeline),
            FreshBooksWebhookUpkeepJob(pipeline: pipeline),
            AsanaWebhookUpkeepJob(pipeline: pipeline),
            SystemActionJob(system: .freshbooks) { [pipeline] connection, action, arguments, now in
                try await FreshBooksActions(client: FreshBooksClient(pipeline: pipeline, connection: connection)).run(action, arguments: arguments, now: now).firstRef
            },
            SystemActionJob(system: .asana) { [pipeline] connection, action, arguments, now in
                try await AsanaActions(client: AsanaClient(pipeline: pipeline, connection: connection)).run(action, arguments: arguments, now: now).firstRef
            },
        ]
    }

    /// The integrations' handlers (change jobs, and the jobs they fan out to).
    public func integrationHandlers() -> [any JobHandler] {
        [FreshBooksAsanaChangeJob(pipeline: pipeline), FreshBooksAsanaBillingJob(pipeline: pipeline)]
    }
}
