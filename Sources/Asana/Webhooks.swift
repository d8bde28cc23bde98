import ConnectorKit
import Foundation
import NIOHTTP1

/// Asana webhooks (digest B7): the `X-Hook-Secret` handshake, `X-Hook-Signature` (hex
/// HMAC-SHA256 of the raw body) checked before parsing, events as `ChangeEvent`s; an empty
/// delivery is a heartbeat.
public struct AsanaWebhookVerifier: WebhookVerifier {
    public let system = SystemKind.asana

    /// Creates the verifier.
    public init() {}

    public func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        if let secret = delivery.headers.first(name: "X-Hook-Secret"), !secret.isEmpty {
            var headers = HTTPHeaders()
            headers.add(name: "X-Hook-Secret", value: secret)
            return .handshake(status: 200, headers: headers, body: "", secret: secret, confirmWithVendor: false)
        }
        guard let secret = subscription.secret else { return .rejected(reason: "the webhook has no secret yet; its handshake has not happened") }
        let header = AsanaProvider.signatureHeader
        guard let presented = delivery.headers.first(name: header) else { return .rejected(reason: "missing \(header) header") }
        guard Signature.verifyHexHMACSHA256(presented: presented, body: Array(delivery.body.readableBytesView), secret: secret) else {
            return .rejected(reason: "\(header) does not match the body")
        }
        struct Body: Decodable { var events: [Event] }
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: Data(delivery.body.readableBytesView))
        } catch {
            throw ConnectorError.validation(field: "events", message: "a signed Asana delivery is not {\"events\": […]}: \(error)")
        }
        return .accepted(body.events.compactMap { Self.changeEvent($0, connectionID: subscription.connectionID) })
    }

    /// The change an event reports; Asana sends no event id, so one is derived from its content.
    public static func changeEvent(_ event: Event, connectionID: String?) -> ChangeEvent? {
        guard let type = event.resource.resource_type else { return nil }
        let action: ChangeEvent.Action = switch event.action {
        case "added", "undeleted": .created
        case "deleted", "removed": .deleted
        case "changed": event.change?.field == "completed" ? .completed : .updated
        default: .other
        }
        let identity = [event.resource.gid, event.action, event.created_at ?? "", event.change?.field ?? "", event.parent?.gid ?? ""].joined(separator: "|")
        return ChangeEvent(eventID: "asana:" + Signature.sha256Hex(identity), ref: ExternalRef(.asana, type, event.resource.gid), action: action,
                           occurredAt: event.created_at.flatMap(AsanaTime.parse), connectionID: connectionID,
                           parent: event.parent.flatMap { parent in parent.resource_type.map { ExternalRef(.asana, $0, parent.gid) } },
                           vendorEvent: event.action + (event.change?.field.map { ":" + $0 } ?? ""))
    }
}

/// A filter of a webhook (digest B7): which resource type, action and fields it reports.
public struct WebhookFilter: Codable, Sendable, Equatable {
    public var resource_type: String
    public var action: String?
    public var fields: [String]?

    /// Creates a filter.
    public init(resourceType: String, action: String? = nil, fields: [String]? = nil) {
        resource_type = resourceType
        self.action = action
        self.fields = fields
    }

    /// AsanaTask changes inside a project.
    public static let projectTasks = [
        WebhookFilter(resourceType: "task", action: "changed", fields: ["completed", "custom_fields", "name", "due_on", "assignee"]),
        WebhookFilter(resourceType: "task", action: "added"),
        WebhookFilter(resourceType: "task", action: "deleted"),
    ]

    /// New and changed projects in a workspace (workspace webhooks must filter; fields are not allowed there).
    public static let workspaceProjects = [WebhookFilter(resourceType: "project", action: "added"), WebhookFilter(resourceType: "project", action: "changed")]
}

extension AsanaClient {
    /// Creates a webhook; Asana performs the handshake against `target` before this returns,
    /// so the server's ingress must be answering. Returns the webhook and the secret.
    public func createWebhook(resource: String, target: String, filters: [WebhookFilter]) async throws -> (webhook: Webhook, secret: String?) {
        struct Request: Encodable {
            var resource: String
            var target: String
            var filters: [WebhookFilter]
        }
        struct Created: Decodable {
            var data: Webhook
            var secret: String?
            enum CodingKeys: String, CodingKey { case data, secret = "X-Hook-Secret" }
        }
        let created = try await raw(.POST, "/webhooks", fields: ["active", "resource", "target"], body: Request(resource: resource, target: target, filters: filters)).decode(Created.self)
        return (created.data, created.secret)
    }

    /// The webhooks of the connection's workspace.
    public func webhooks(resource: String? = nil) throws -> Paged<Webhook> {
        var query = [("workspace", try workspaceGID())]
        if let resource { query.append(("resource", resource)) }
        return list("/webhooks", query: query, fields: ["active", "resource", "target", "last_success_at", "last_failure_at"], as: Webhook.self)
    }

    /// Deletes a webhook.
    public func deleteWebhook(gid: String) async throws {
        _ = try await raw(.DELETE, "/webhooks/\(gid)")
    }
}

/// Asana webhooks as the shared upkeep drives them (digest B7, B9.6): a subscription watches a
/// resource gid with a filter set, and the handshake completes before `create` returns.
struct AsanaWebhookAPI: WebhookSubscriptionAPI {
    let client: AsanaClient

    /// Filter set names a `WantedSubscription` carries.
    static let filterSets = ["project-tasks": WebhookFilter.projectTasks, "workspace-projects": WebhookFilter.workspaceProjects]

    func list() async throws -> [VendorSubscription] {
        try await client.webhooks().collect().map(Self.subscription)
    }

    func create(_ wanted: WantedSubscription, target: String) async throws -> VendorSubscription {
        guard let filters = Self.filterSets[wanted.filter ?? "project-tasks"] else {
            throw ConnectorError.permanent("no Asana webhook filter set named \(wanted.filter ?? "")")
        }
        let (webhook, _) = try await client.createWebhook(resource: wanted.resource, target: target, filters: filters)
        // Asana answers only after our ingress accepted its handshake (digest B9.6).
        return VendorSubscription(id: webhook.gid, resource: wanted.resource, target: target, verified: true)
    }

    func confirm(id: String, secret: String) async throws -> Bool { true }

    func resendVerification(id: String) async throws {}

    func delete(id: String) async throws {
        try await client.deleteWebhook(gid: id)
    }

    static func subscription(_ webhook: Webhook) -> VendorSubscription {
        VendorSubscription(id: webhook.gid, resource: webhook.resource?.gid ?? "", target: webhook.target ?? "", verified: webhook.active ?? false)
    }
}
