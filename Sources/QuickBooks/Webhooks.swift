import ConnectorKit
import Foundation

/// QuickBooks webhooks (api digest 1.7). They are set up in Intuit's developer portal, not by
/// API, so there is no subscription upkeep: the operator registers the endpoint there and the
/// subscription's secret is the portal's verifier token. `intuit-signature` is the base64
/// HMAC-SHA256 of the raw body under that token, checked before anything parses the body.
/// Both payloads are read: the legacy `eventNotifications` object and the CloudEvents array.
public struct QuickBooksWebhookVerifier: WebhookVerifier {
    public let system = SystemKind.quickbooks

    /// Creates the verifier.
    public init() {}

    public func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        guard let token = subscription.secret, !token.isEmpty else { return .rejected(reason: "the subscription has no verifier token; store the one the Intuit developer portal shows") }
        guard let presented = delivery.headers.first(name: "intuit-signature") else { return .rejected(reason: "missing intuit-signature header") }
        guard Signature.verifyBase64HMACSHA256(presented: presented.trimmingCharacters(in: .whitespaces), body: Array(delivery.body.readableBytesView), secret: token) else {
            return .rejected(reason: "intuit-signature does not match the body")
        }
        let data = Data(delivery.body.readableBytesView)
        do {
            return .accepted(try QuickBooksWebhookPayload.events(data, connectionID: subscription.connectionID))
        } catch {
            throw ConnectorError.validation(field: "body", message: "a signed QuickBooks delivery is neither eventNotifications nor a CloudEvents array: \(error)")
        }
    }
}

/// The two payload formats, turned into change events that name the realm as `accountRef`.
public enum QuickBooksWebhookPayload {
    /// The events of a delivery body.
    public static func events(_ body: Data, connectionID: String?) throws -> [ChangeEvent] {
        // QBO: the CloudEvents body is a JSON array, the legacy one an object (api digest 1.7).
        if body.first(where: { !$0.isWhitespace }) == UInt8(ascii: "[") {
            return try JSONDecoder().decode([CloudEvent].self, from: body).compactMap { $0.changeEvent(connectionID: connectionID) }
        }
        let legacy = try JSONDecoder().decode(Legacy.self, from: body)
        return legacy.eventNotifications.flatMap { notification in
            (notification.dataChangeEvent?.entities ?? []).compactMap { $0.changeEvent(realmID: notification.realmId, connectionID: connectionID) }
        }
    }

    struct Legacy: Decodable {
        struct Notification: Decodable {
            var realmId: String
            var dataChangeEvent: DataChangeEvent?
        }

        struct DataChangeEvent: Decodable { var entities: [Entity] }

        struct Entity: Decodable {
            var id: String
            var operation: String
            var name: String
            var lastUpdated: String?
            var deletedID: String?

            func changeEvent(realmID: String, connectionID: String?) -> ChangeEvent? {
                guard let record = QuickBooksRecord(entityName: name) else { return nil }
                // QBO sends no event id: (realm, entity, id, operation, lastUpdated) names one change (api digest 1.7).
                let identity = [realmID, name, id, operation, lastUpdated ?? ""].joined(separator: "|")
                return ChangeEvent(eventID: "qbo:" + Signature.sha256Hex(identity), ref: .quickbooks(record, id), action: QuickBooksWebhookPayload.action(operation),
                                   occurredAt: lastUpdated.flatMap(QuickBooksTime.parse), connectionID: connectionID, accountRef: realmID, vendorEvent: "\(name).\(operation)")
            }
        }

        var eventNotifications: [Notification]
    }

    struct CloudEvent: Decodable {
        var id: String
        var type: String
        var time: String?
        var intuitentityid: String
        var intuitaccountid: String

        func changeEvent(connectionID: String?) -> ChangeEvent? {
            // `qbo.<entity>.<past-tense operation>.v1` (api digest 1.7).
            let parts = type.split(separator: ".")
            guard parts.count >= 3, let record = QuickBooksRecord(entityName: String(parts[1])) else { return nil }
            return ChangeEvent(eventID: "qbo-ce:" + id, ref: .quickbooks(record, intuitentityid), action: QuickBooksWebhookPayload.action(String(parts[2])),
                               occurredAt: time.flatMap(QuickBooksTime.parse), connectionID: connectionID, accountRef: intuitaccountid, vendorEvent: type)
        }
    }

    /// The change an operation names, in either format's words.
    static func action(_ operation: String) -> ChangeEvent.Action {
        switch operation.lowercased() {
        case "create", "created": .created
        case "update", "updated", "void", "voided", "merge", "merged": .updated
        case "delete", "deleted": .deleted
        default: .other
        }
    }
}

private extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
