import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// A verifier for a made-up system, signed like most vendors: hex HMAC-SHA256 of the raw body
/// in `X-Test-Signature`; a first delivery carrying `X-Test-Handshake` sets the secret. An
/// account `business:<id>` names a connection by its `business` setting.
struct TestWebhookVerifier: WebhookAccountMatching {
    func connection(_ connection: Connection, hasAccount account: String) -> Bool {
        guard account.hasPrefix("business:") else { return connection.accountRef == account }
        return connection.settings["business"] == String(account.dropFirst("business:".count))
    }

    let system = SystemKind.custom("testhook")

    struct Body: Decodable {
        struct Event: Decodable {
            var id: String
            var record: String
            var account: String?
        }
        var events: [Event]
    }

    func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        if let offered = delivery.headers.first(name: "X-Test-Handshake") {
            var headers = HTTPHeaders()
            headers.add(name: "X-Test-Handshake", value: offered)
            return .handshake(status: 200, headers: headers, body: "", secret: offered, confirmWithVendor: false)
        }
        guard let secret = subscription.secret else { return .rejected(reason: "the subscription has no secret yet") }
        guard let signature = delivery.headers.first(name: "X-Test-Signature") else { return .rejected(reason: "no X-Test-Signature header") }
        let body = Array(delivery.body.readableBytesView)
        guard Signature.verifyHexHMACSHA256(presented: signature, body: body, secret: secret) else { return .rejected(reason: "X-Test-Signature does not match the body") }
        let parsed = try JSONDecoder().decode(Body.self, from: Data(body))
        return .accepted(parsed.events.map {
            ChangeEvent(eventID: $0.id, ref: ExternalRef(system: system, type: "record", id: $0.record), action: .updated, accountRef: $0.account)
        })
    }

    /// Signs a body as the vendor would.
    static func sign(_ body: String, secret: String) -> String {
        Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: secret))
    }
}
