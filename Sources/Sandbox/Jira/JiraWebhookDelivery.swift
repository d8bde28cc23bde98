import Crypto
import Foundation

extension JiraSandbox {
    /// Delivers an issue event to every live webhook that names it and whose JQL matches:
    /// `{timestamp, webhookEvent, issue_event_type_name, user, issue, changelog}` (digest 3.7).
    func notify(event: String, typeName: String, issue bean: JSONValue, changelog: [JSONValue]?, user: JSONValue) {
        let faults = faultGate.plan
        let (targets, clientSecret, cloud, stamp) = world.withLockedValue { world -> ([JiraWorld.Webhook], String, String, Date) in
            _ = world.liveDynamicWebhooks()
            let snapshot = JiraWorld.Issue(id: bean["id"]?.int ?? 0, key: bean["key"]?.text ?? "", fields: bean["fields"]?.object ?? [:], created: world.now, updated: world.now)
            let matching = world.webhooks.values.filter { webhook in
                guard webhook.events.contains(event) else { return false }
                guard !webhook.jqlFilter.isEmpty, let query = try? JiraJQL.parse(webhook.jqlFilter) else { return webhook.jqlFilter.isEmpty }
                return query.matches(snapshot, fields: snapshot.fields, world: world)
            }.sorted { $0.id < $1.id }
            return (matching, world.configuration.clientSecret, world.cloudID, world.now)
        }
        for webhook in targets {
            var payload: [String: JSONValue] = ["timestamp": .number(String(Int64(stamp.timeIntervalSince1970 * 1000))), "webhookEvent": .string(event),
                                                "issue_event_type_name": .string(typeName), "user": user, "issue": bean]
            if let changelog { payload["changelog"] = .object(["id": .string(String(Int.random(in: 10000...99999))), "items": .array(changelog)]) }
            if webhook.expiresAt != nil { payload["matchedWebhookIds"] = .array([.int(webhook.id)]) }
            deliver(webhook, body: .object(payload), clientSecret: clientSecret, cloudID: cloud, faults: faults)
        }
    }

    /// Delivers a worklog event to admin webhooks (dynamic ones cannot take worklog events, digest 3.7).
    func notifyAdmin(event: String, payload: [String: JSONValue]) {
        let faults = faultGate.plan
        let (targets, stamp) = world.withLockedValue { world in (world.webhooks.values.filter { $0.expiresAt == nil && $0.events.contains(event) }.sorted { $0.id < $1.id }, world.now) }
        for webhook in targets {
            var body = payload
            body["timestamp"] = .number(String(Int64(stamp.timeIntervalSince1970 * 1000)))
            body["webhookEvent"] = .string(event)
            deliver(webhook, body: .object(body), clientSecret: "", cloudID: "", faults: faults)
        }
    }

    /// Sends one delivery (twice when the plan duplicates, with a stable identifier): dynamic
    /// webhooks carry a JWT signed with the app's secret, admin ones `X-Hub-Signature`.
    func deliver(_ webhook: JiraWorld.Webhook, body value: JSONValue, clientSecret: String, cloudID: String, faults: FaultPlan) {
        let details: [String: JSONValue] = ["webhook": .int(webhook.id), "event": value["webhookEvent"] ?? .null, "issue": value["issue"]?["key"] ?? .null]
        if faults.dropWebhooks {
            deliveryLog.record(.init(status: nil, dropped: true, details: details))
            return
        }
        let body = value.serialized()
        let identifier = String(Int.random(in: 100_000_000...999_999_999))
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("X-Atlassian-Webhook-Identifier", identifier), ("X-Atlassian-Webhook-Flow", "Primary")]
        if let secret = webhook.secret {
            headers.append(("X-Hub-Signature", "sha256=" + Self.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))))
        } else if webhook.expiresAt != nil {
            let path = URL(string: webhook.url)?.path ?? "/"
            headers.append(("Authorization", "Bearer " + Self.jwt(secret: clientSecret, claims: [
                "iss": .string("jira:\(cloudID)"), "iat": .int(Int(Date().timeIntervalSince1970)), "exp": .int(Int(Date().timeIntervalSince1970) + 180),
                "qsh": .string(Self.hex(SHA256.hash(data: Data("POST&\(path)&".utf8)))),
            ])))
        }
        Task { [http, deliveryLog] in
            if faults.webhookDelayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(faults.webhookDelayMilliseconds)) }
            for attempt in 0..<(faults.duplicateWebhooks ? 2 : 1) {
                // A repeat keeps the identifier and says which retry it is (digest 3.7).
                let retry = attempt > 0 ? [("X-Atlassian-Webhook-Retry", String(attempt))] : []
                _ = await deliveryLog.post(body, to: webhook.url, headers: headers + retry, details: details, http: http)
            }
        }
    }

    /// A compact HS256 JWT.
    static func jwt(secret: String, claims: [String: JSONValue]) -> String {
        func encode(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let signingInput = encode(JSONValue.object(["alg": .string("HS256"), "typ": .string("JWT")]).serialized()) + "." + encode(JSONValue.object(claims).serialized())
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return signingInput + "." + encode(Data(signature))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
