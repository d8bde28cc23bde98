import Asana
import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

@Suite struct AsanaWebhookTests {
    let verifier = AsanaWebhookVerifier()
    let secret = "hook-secret-for-tests-0001"
    let body = #"{"events":[{"user":{"gid":"1","resource_type":"user"},"created_at":"2026-11-21T06:00:00.147Z","action":"changed","resource":{"gid":"456","resource_type":"task","resource_subtype":"default_task"},"parent":null,"change":{"field":"completed","action":"changed"}}]}"#

    func deliver(_ body: String, signature: String?, secret: String?) throws -> WebhookVerdict {
        var headers = HTTPHeaders()
        if let signature { headers.add(name: "X-Hook-Signature", value: signature) }
        return try verifier.verify(WebhookDelivery(system: .asana, subscriptionID: "s", headers: headers, body: ByteBuffer(string: body)),
                                   subscription: WebhookSubscriptionContext(id: "s", connectionID: "asana-1", secret: secret))
    }

    @Test func aSignedDeliveryBecomesEventsAndTamperingIsRejected() throws {
        let signature = Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: secret))
        guard case .accepted(let events) = try deliver(body, signature: signature, secret: secret) else {
            Issue.record("expected accepted")
            return
        }
        #expect(events.map(\.ref) == [ExternalRef(system: .asana, type: "task", id: "456")])
        #expect(events.first?.action == .completed && events.first?.connectionID == "asana-1")
        // The same event delivered twice has the same id (the inbox drops the second).
        guard case .accepted(let again) = try deliver(body, signature: signature, secret: secret) else {
            Issue.record("expected the repeated delivery accepted")
            return
        }
        #expect(again.first?.eventID == events.first?.eventID)

        for verdict in [try deliver(body.replacingOccurrences(of: "456", with: "457"), signature: signature, secret: secret),
                        try deliver(body, signature: signature, secret: "another-secret"),
                        try deliver(body, signature: nil, secret: secret),
                        try deliver(body, signature: signature, secret: nil)] {
            guard case .rejected = verdict else {
                Issue.record("expected rejection, got \(verdict)")
                continue
            }
        }
    }

    @Test func theHandshakeEchoesTheSecret() throws {
        var headers = HTTPHeaders()
        headers.add(name: "X-Hook-Secret", value: "abc123secret")
        let verdict = try verifier.verify(WebhookDelivery(system: .asana, subscriptionID: "s", headers: headers, body: ByteBuffer()),
                                          subscription: WebhookSubscriptionContext(id: "s", connectionID: "asana-1", secret: nil))
        guard case .handshake(let status, let echoed, _, let stored, let confirm) = verdict else {
            Issue.record("expected handshake")
            return
        }
        #expect(status == 200 && echoed.first(name: "X-Hook-Secret") == "abc123secret" && stored == "abc123secret" && !confirm)
    }

    @Test func anEmptyDeliveryIsAHeartbeat() throws {
        let empty = #"{"events":[]}"#
        guard case .accepted(let events) = try deliver(empty, signature: Signature.hex(Signature.hmacSHA256(Data(empty.utf8), secret: secret)), secret: secret) else {
            Issue.record("expected accepted")
            return
        }
        #expect(events.isEmpty)
    }

    @Test func settingsWebhooksAndOptionsThroughTheClient() async throws {
        try await AsanaFixture.with { fixture in
            let project = try await fixture.client.createProject(ProjectDraft(name: "Fields", team: fixture.sandbox.teamGID))
            let field = fixture.sandbox.createCustomField(name: "Hours", subtype: "number", precision: 1)
            try await fixture.client.addCustomFieldSetting(project: project.gid, field: field.gid)
            let settings = try await fixture.client.customFieldSettings(project: project.gid).collect()
            #expect(settings.map(\.custom_field.gid) == [field.gid] && settings.first?.custom_field.precision == 1)
            await #expect(throws: ConnectorError.self) { try await fixture.client.addCustomFieldSetting(project: project.gid, field: "999") }
            // A workspace webhook without filters is refused by Asana's rule.
            do {
                _ = try await fixture.client.createWebhook(resource: fixture.sandbox.workspaceGID, target: "https://example.invalid/hook", filters: [])
                Issue.record("expected refusal")
            } catch let ConnectorError.validation(field, _) {
                #expect(field == "filters")
            }
            #expect(try await fixture.client.webhooks().collect().isEmpty)
        }
    }
}
