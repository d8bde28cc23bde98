import ConnectorKit
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Jira webhook deliveries (digest 3.7), checked before the body is read: admin webhooks carry
/// `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`; dynamic webhooks carry a JWT
/// (HS256, signed with the app's client secret) in `Authorization: Bearer`. The subscription's
/// secret is that HMAC secret or that client secret, stored when the webhook was registered.
public struct JiraWebhookVerifier: WebhookVerifier {
    public let system = SystemKind.jira

    /// Creates the verifier.
    public init() {}

    public func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        guard let secret = subscription.secret else { return .rejected(reason: "the webhook has no secret recorded; it was not registered by this server") }
        let body = Array(delivery.body.readableBytesView)
        if let presented = delivery.headers.first(name: "X-Hub-Signature") {
            // Jira: `sha256=` and lower-case hex, in X-Hub-Signature, not X-Hub-Signature-256 (digest 3.7).
            guard presented.hasPrefix("sha256="), Signature.verifyHexHMACSHA256(presented: String(presented.dropFirst(7)), body: body, secret: secret) else {
                return .rejected(reason: "X-Hub-Signature does not match the body")
            }
        } else if let authorization = delivery.headers.first(name: "Authorization"), authorization.hasPrefix("Bearer ") || authorization.hasPrefix("JWT ") {
            let token = String(authorization.split(separator: " ", maxSplits: 1).last ?? "")
            if let problem = JiraJWT.problem(token, secret: secret, now: delivery.receivedAt) { return .rejected(reason: problem) }
        } else {
            return .rejected(reason: "neither X-Hub-Signature nor a JWT in Authorization")
        }
        return .accepted(try Self.changes(in: delivery, connectionID: subscription.connectionID))
    }

    /// The changes a signed delivery reports; its id is `X-Atlassian-Webhook-Identifier`, the
    /// same on every retry of one delivery (digest 3.7, gotcha 8).
    static func changes(in delivery: WebhookDelivery, connectionID: String?) throws -> [ChangeEvent] {
        struct Body: Decodable {
            struct Record: Decodable {
                var id: String
                var issueId: String?
            }
            var timestamp: Int64?
            var webhookEvent: String
            var issue: Record?
            var worklog: Record?
        }
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: Data(delivery.body.readableBytesView))
        } catch {
            throw ConnectorError.validation(field: "webhookEvent", message: "a signed Jira delivery is not {\"webhookEvent\": …, \"issue\"|\"worklog\": …}")
        }
        let identity = delivery.headers.first(name: "X-Atlassian-Webhook-Identifier") ?? Signature.sha256Hex(String(buffer: delivery.body))
        let occurred = body.timestamp.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let event = body.webhookEvent
        if let worklog = body.worklog {
            let action: ChangeEvent.Action = event.hasSuffix("_created") ? .created : event.hasSuffix("_deleted") ? .deleted : .updated
            return [ChangeEvent(eventID: "jira:\(identity)", ref: .jira(.worklog, worklog.id), action: action, occurredAt: occurred, connectionID: connectionID,
                                parent: worklog.issueId.map { .jira(.issue, $0) }, vendorEvent: event)]
        }
        guard let issue = body.issue else { return [] }
        let action: ChangeEvent.Action = switch event {
        case "jira:issue_created": .created
        case "jira:issue_deleted": .deleted
        default: .updated
        }
        return [ChangeEvent(eventID: "jira:\(identity)", ref: .jira(.issue, issue.id), action: action, occurredAt: occurred, connectionID: connectionID, vendorEvent: event)]
    }
}

/// The HS256 JWT of a dynamic-webhook delivery: signature and expiry checked (the claims
/// beyond `exp` are not documented, digest 3.7 ❓).
enum JiraJWT {
    /// Why the token is refused, or nil when it is good.
    static func problem(_ token: String, secret: String, now: Date) -> String? {
        // At most four pieces: a token of 10,000 segments is refused without splitting it all.
        let parts = token.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let header = decode(parts[0]), let claims = decode(parts[1]), let signature = decode(parts[2]) else { return "the JWT is malformed" }
        struct Header: Decodable { var alg: String }
        struct Claims: Decodable { var exp: Double? }
        guard (try? JSONDecoder().decode(Header.self, from: header))?.alg == "HS256" else { return "the JWT is not HS256" }
        let expected = Signature.hmacSHA256(Data((parts[0] + "." + parts[1]).utf8), secret: secret)
        guard Signature.constantTimeEquals(Array(expected), Array(signature)) else { return "the JWT signature does not match" }
        guard let expiry = (try? JSONDecoder().decode(Claims.self, from: claims))?.exp, expiry + 60 >= now.timeIntervalSince1970 else { return "the JWT has expired" }
        return nil
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// The events a subscription's `filter` names.
public enum JiraWebhookEvents {
    /// Issue events (the default).
    public static let issues = ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted"]
    /// Worklog events: admin webhooks only (digest 3.7).
    public static let worklogs = ["worklog_created", "worklog_updated", "worklog_deleted"]

    static func named(_ filter: String?) throws -> [String] {
        switch filter ?? "issues" {
        case "issues": return issues
        case "worklogs": return worklogs
        case "issues-and-worklogs": return issues + worklogs
        default: throw ConnectorError.permanent("no Jira webhook event set named \(filter ?? "")")
        }
    }
}

/// Dynamic webhooks as the shared upkeep drives them (OAuth connections, digest 3.7): a
/// subscription watches a JQL filter; it expires after 30 days unless `renew` refreshes it.
struct JiraDynamicWebhookAPI: WebhookSubscriptionAPI {
    let client: JiraClient

    func list() async throws -> [VendorSubscription] {
        struct Page: Decodable { var values: [JiraWebhook] }
        let webhooks = try await Paged.positions(pageSize: 100) { [client] start, count in
            try await client.send(.GET, "/webhook", query: [("startAt", String(start)), ("maxResults", String(count))], as: Page.self).values
        }.collect()
        return webhooks.map { VendorSubscription(id: String($0.id), resource: $0.jqlFilter, target: $0.url ?? "", verified: true, expiresAt: $0.expirationDate) }
    }

    func create(_ wanted: WantedSubscription, target: String) async throws -> VendorSubscription {
        let events = try JiraWebhookEvents.named(wanted.filter)
        guard !events.contains(where: JiraWebhookEvents.worklogs.contains) else {
            throw ConnectorError.permanent("Jira dynamic webhooks cannot carry worklog events (digest 3.7); the worklog poller covers them")
        }
        struct Details: Encodable, Sendable {
            var events: [String]
            var jqlFilter: String
        }
        struct Registration: Encodable, Sendable {
            var url: String
            var webhooks: [Details]
        }
        struct Result: Decodable {
            struct Entry: Decodable {
                var createdWebhookId: Int?
                var errors: [String]?
            }
            var webhookRegistrationResult: [Entry]
        }
        let result = try await client.send(.POST, "/webhook", body: Registration(url: target, webhooks: [Details(events: events, jqlFilter: wanted.resource)]), as: Result.self)
        guard let id = result.webhookRegistrationResult.first?.createdWebhookId else {
            throw ConnectorError.validation(field: "jqlFilter", message: "Jira refused the webhook for '\(wanted.resource)': " + (result.webhookRegistrationResult.first?.errors ?? []).joined(separator: "; "))
        }
        let secret = try await client.pipeline.oauthClientSecret(connection: client.connection, provider: client.shell.provider)
        return VendorSubscription(id: String(id), resource: wanted.resource, target: target, verified: true, signingSecret: secret)
    }

    func confirm(id: String, secret: String) async throws -> Bool { true }

    func resendVerification(id: String) async throws {}

    func delete(id: String) async throws {
        try await client.call(.DELETE, "/webhook", body: ["webhookIds": [try Self.number(id)]])
    }

    func renew(ids: [String]) async throws {
        try await client.call(.PUT, "/webhook/refresh", body: ["webhookIds": try ids.map(Self.number)])
    }

    static func number(_ id: String) throws -> Int {
        guard let number = Int(id) else { throw ConnectorError.permanent("Jira webhook id '\(id)' is not a number") }
        return number
    }
}

/// Admin webhooks as the shared upkeep drives them (Basic connections of a site admin, digest
/// 3.7): no expiry, worklog events available, deliveries signed with a secret chosen here.
struct JiraAdminWebhookAPI: WebhookSubscriptionAPI {
    let client: JiraClient
    static let path = "/rest/webhooks/1.0/webhook"

    struct AdminWebhook: Decodable {
        var link: String
        var url: String
        var filters: [String: String]?
        var enabled: Bool?
        /// Admin webhooks are known by their `self` link only; the id is its last segment.
        var id: String { String(link.split(separator: "/").last ?? "") }

        enum CodingKeys: String, CodingKey { case link = "self", url, filters, enabled }
    }

    func list() async throws -> [VendorSubscription] {
        try await client.shell.send(.GET, Self.path, as: [AdminWebhook].self).map {
            VendorSubscription(id: $0.id, resource: $0.filters?["issue-related-events-section"] ?? "", target: $0.url, verified: $0.enabled ?? true)
        }
    }

    func create(_ wanted: WantedSubscription, target: String) async throws -> VendorSubscription {
        struct Registration: Encodable, Sendable {
            var name: String
            var url: String
            var events: [String]
            var filters: [String: String]
            var excludeBody: Bool
            var secret: String
        }
        let secret = (0..<2).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }.joined()
        let body = Registration(name: "ml-connector", url: target, events: try JiraWebhookEvents.named(wanted.filter),
                                filters: ["issue-related-events-section": wanted.resource], excludeBody: false, secret: secret)
        let created = try await client.shell.send(.POST, Self.path, body: body, as: AdminWebhook.self)
        return VendorSubscription(id: created.id, resource: wanted.resource, target: target, verified: true, signingSecret: secret)
    }

    func confirm(id: String, secret: String) async throws -> Bool { true }

    func resendVerification(id: String) async throws {}

    func delete(id: String) async throws {
        _ = try await client.shell.raw(.DELETE, Self.path + "/" + id)
    }
}
