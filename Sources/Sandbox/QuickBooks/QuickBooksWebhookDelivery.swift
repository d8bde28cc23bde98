import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

extension QuickBooksSandbox {
    /// Delivers one change to every endpoint registered in the (emulated) developer portal,
    /// after the configured delay, in the endpoint's format, signed with `intuit-signature`
    /// (api digest 1.7); dropped or duplicated when the fault plan says so.
    func notify(entity: String, id: String, operation: String) {
        let faults = faultGate.plan
        let (endpoints, realm) = world.withLockedValue { ($0.endpoints, $0.realmID) }
        guard !endpoints.isEmpty else { return }
        let now = Date()
        for endpoint in endpoints {
            let details: [String: JSONValue] = ["entity": .string(entity), "id": .string(id), "operation": .string(operation), "url": .string(endpoint.url), "format": .string(endpoint.format)]
            let body = endpoint.format == "legacy" ? Self.legacyPayload(realm: realm, entity: entity, id: id, operation: operation, at: now)
                : Self.cloudEventsPayload(realm: realm, entity: entity, id: id, operation: operation, at: now)
            let signature = Self.sign(body, verifierToken: configuration.verifierToken)
            WebhookPoster.deliver(plan: faults, log: deliveryLog, details: details) { [http] in
                await Self.post(http, url: endpoint.url, body: body, signature: signature)
            }
        }
    }

    /// base64(HMAC-SHA256(verifier token, raw body)).
    static func sign(_ body: Data, verifierToken: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(verifierToken.utf8)))).base64EncodedString()
    }

    /// `{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{id, operation, name, lastUpdated}]}}]}`.
    static func legacyPayload(realm: String, entity: String, id: String, operation: String, at: Date) -> Data {
        let stamp = ISO8601DateFormatter.string(from: at, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        return JSONValue.object(["eventNotifications": .array([.object([
            "realmId": .string(realm),
            "dataChangeEvent": .object(["entities": .array([.object(["id": .string(id), "operation": .string(operation), "name": .string(entity), "lastUpdated": .string(stamp)])])]),
        ])])]).serialized()
    }

    /// The CloudEvents array: `type` is `qbo.<entity>.<past-tense operation>.v1`.
    static func cloudEventsPayload(realm: String, entity: String, id: String, operation: String, at: Date) -> Data {
        let verb = operation.lowercased().hasSuffix("e") ? operation.lowercased() + "d" : operation.lowercased() + "ed"
        let stamp = ISO8601DateFormatter.string(from: at, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        return JSONValue.array([.object([
            "specversion": .string("1.0"), "id": .string(UUID().uuidString.lowercased()), "source": .string("intuit.sandbox"),
            "type": .string("qbo.\(entity.lowercased()).\(verb).v1"), "datacontenttype": .string("application/json"), "time": .string(stamp),
            "intuitentityid": .string(id), "intuitaccountid": .string(realm), "data": .object([:]),
        ])]).serialized()
    }

    static func post(_ http: HTTPClient, url: String, body: Data, signature: String) async -> Int? {
        // QBO: an endpoint must answer within 3 s or the delivery counts as failed (api digest 1.7).
        await WebhookPoster.post(http, url: url, body: ByteBuffer(data: body), headers: [("Content-Type", "application/json"), ("intuit-signature", signature)], timeout: .seconds(3))
    }
}
