import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// Keeps Asana webhooks alive (digest B7, B9.7): one per watched project for task changes and,
/// when asked, one on the workspace (with filters) for new projects. Webhooks Asana deleted
/// after a day of failures are created again; a subscription whose heartbeat is overdue is
/// flagged `failing` and re-created. The events poll fills any gap meanwhile.
public struct AsanaWebhookUpkeepJob: JobHandler {
    public let kind = "asana.webhook-upkeep"
    let pipeline: HTTPPipeline

    /// What to keep.
    public struct Payload: Codable, Sendable {
        public var connectionID: String
        public var publicURL: String
        /// Project gids whose tasks are watched.
        public var projects: [String]
        /// Whether new projects in the workspace are watched too.
        public var workspace: Bool
        /// Heartbeats come every 8 hours; later than this is overdue.
        public var heartbeatGrace: Int

        /// Creates a payload.
        public init(connectionID: String, publicURL: String, projects: [String], workspace: Bool, heartbeatGrace: Duration = .seconds(9 * 3600)) {
            self.connectionID = connectionID
            self.publicURL = publicURL
            self.projects = projects
            self.workspace = workspace
            self.heartbeatGrace = Int(heartbeatGrace.components.seconds)
        }
    }

    /// A recurring upkeep.
    public static func schedule(connection: Connection, payload: Payload, every interval: Duration = .seconds(3600)) throws -> JobRequest {
        try JobRequest(kind: "asana.webhook-upkeep", tenant: connection.tenant, connectionID: connection.id, coalesceKey: "webhook-upkeep:\(connection.id)",
                       payload: payload, repeatEvery: interval, source: .schedule)
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        let connection = try await context.requireConnection(payload.connectionID)
        let client = AsanaClient(pipeline: pipeline, connection: connection)
        let live = Dictionary(try await client.webhooks().collect().map { ($0.gid, $0) }, uniquingKeysWith: { first, _ in first })
        var subscriptions = try await context.store.subscriptions(connectionID: connection.id).filter { $0.system == .asana }
        var created = 0
        var removed = 0

        // Gone at Asana, never confirmed, or silent past the heartbeat: drop and re-create.
        for subscription in subscriptions {
            let goneAtVendor = subscription.externalID.map { live[$0] == nil } ?? true
            let lastSign = [subscription.lastHeartbeatAt, subscription.lastDeliveryAt, subscription.createdAt].compactMap { $0 }.max() ?? subscription.createdAt
            let silent = context.now.timeIntervalSince(lastSign) > Double(payload.heartbeatGrace)
            if goneAtVendor || silent {
                if silent, !goneAtVendor, let gid = subscription.externalID { try? await client.deleteWebhook(gid: gid) }
                try await context.store.updateSubscription(id: subscription.id, status: .failing, externalID: nil)
                try await context.store.removeSubscription(id: subscription.id)
                removed += 1
            }
        }
        subscriptions = try await context.store.subscriptions(connectionID: connection.id).filter { $0.system == .asana }

        var wanted = payload.projects.map { ($0, WebhookFilter.projectTasks) }
        if payload.workspace { wanted.append((try client.workspaceGID(), WebhookFilter.workspaceProjects)) }
        for (resource, filters) in wanted where !subscriptions.contains(where: { $0.resource == resource }) {
            let subscription = WebhookSubscription(tenant: connection.tenant, system: .asana, connectionID: connection.id, resource: resource, status: .pending)
            try await context.store.saveSubscription(subscription, secret: nil)
            do {
                // Asana handshakes with our ingress before this call returns (digest B9.6): no lock is held here.
                let (webhook, _) = try await client.createWebhook(resource: resource, target: payload.publicURL + "/webhooks/asana/" + subscription.id, filters: filters)
                try await context.store.updateSubscription(id: subscription.id, status: .active, externalID: webhook.gid)
                created += 1
            } catch {
                try await context.store.removeSubscription(id: subscription.id)
                throw error
            }
        }
        return JobOutcome(sourceRef: "asana:workspace:\(connection.settings["workspace_gid"] ?? "?")", unchanged: created == 0 && removed == 0,
                          action: "Asana webhooks: \(created) created, \(removed) replaced or removed")
    }
}
