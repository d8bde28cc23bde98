import ConnectorKit
import Crypto
import Foundation
import Jira
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

@Suite struct JiraWebhookTests {
    let body = #"{"timestamp":1772356530250,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic","issue":{"id":"10001","key":"MLC-2","fields":{}}}"#

    func delivery(_ headers: [(String, String)], body: String? = nil) -> WebhookDelivery {
        WebhookDelivery(system: .jira, subscriptionID: "sub", headers: HTTPHeaders(headers), body: ByteBuffer(string: body ?? self.body), receivedAt: Date(timeIntervalSince1970: 1_772_356_531))
    }

    static func jwt(secret: String, exp: Int, alg: String = "HS256") -> String {
        func encode(_ data: Data) -> String { data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") }
        let input = encode(Data(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8)) + "." + encode(Data(#"{"iss":"jira:site","exp":\#(exp)}"#.utf8))
        return input + "." + encode(Signature.hmacSHA256(Data(input.utf8), secret: secret))
    }

    @Test func adminSignaturesAndDynamicJWTsAreCheckedBeforeTheBodyIsRead() throws {
        let verifier = JiraWebhookVerifier()
        let context = WebhookSubscriptionContext(id: "sub", connectionID: "jira-test", secret: "s3cret")
        let good = "sha256=" + Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: "s3cret"))
        guard case .accepted(let events) = try verifier.verify(delivery([("X-Hub-Signature", good), ("X-Atlassian-Webhook-Identifier", "77")]), subscription: context) else {
            Issue.record("a good X-Hub-Signature was refused")
            return
        }
        #expect(events == [ChangeEvent(eventID: "jira:77", ref: .jira(.issue, "10001"), action: .updated, occurredAt: Date(timeIntervalSince1970: 1_772_356_530.25),
                                       connectionID: "jira-test", vendorEvent: "jira:issue_updated")])
        let wrongKey = "sha256=" + Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: "other"))
        for headers in [[("X-Hub-Signature", wrongKey)], [("X-Hub-Signature", String(good.dropFirst(7)))], [("X-Hub-Signature-256", good)], []] {
            guard case .rejected = try verifier.verify(delivery(headers), subscription: context) else { Issue.record("accepted \(headers)"); return }
        }
        // A tampered body fails even with the signature of the original.
        guard case .rejected = try verifier.verify(delivery([("X-Hub-Signature", good)], body: body.replacingOccurrences(of: "10001", with: "10002")), subscription: context) else {
            Issue.record("a tampered body was accepted")
            return
        }

        let valid = Self.jwt(secret: "s3cret", exp: 1_772_356_700)
        guard case .accepted = try verifier.verify(delivery([("Authorization", "Bearer " + valid)]), subscription: context) else { Issue.record("a good JWT was refused"); return }
        for token in [Self.jwt(secret: "other", exp: 1_772_356_700), Self.jwt(secret: "s3cret", exp: 1_772_356_000), Self.jwt(secret: "s3cret", exp: 1_772_356_700, alg: "none"), "not.a.jwt"] {
            guard case .rejected = try verifier.verify(delivery([("Authorization", "Bearer " + token)]), subscription: context) else { Issue.record("accepted \(token)"); return }
        }
        guard case .rejected = try verifier.verify(delivery([("X-Hub-Signature", good)]), subscription: WebhookSubscriptionContext(id: "sub", connectionID: nil, secret: nil)) else {
            Issue.record("a subscription without a secret accepted a delivery")
            return
        }
    }

    @Test func upkeepRenewsDynamicWebhooksBeforeTheir30DaysRunOut() async throws {
        try await JiraFixture.with(oauth: true) { fixture in
            let connector = JiraConnector()
            let api = try #require(connector.subscriptions(pipeline: fixture.pipeline, connection: fixture.connection))
            let facts = try #require(connector.subscriptionFacts)
            let target = "https://connector.example/webhooks/jira/"
            let kept = try await api.create(WantedSubscription(resource: "project = MLC"), target: target + "row-1")
            let neglected = try await api.create(WantedSubscription(resource: "project = MLC AND labels = urgent"), target: target + "row-2")
            #expect(kept.signingSecret == fixture.sandbox.configuration.clientSecret)
            let listed = try await api.list()
            let expiry = try #require(listed.first?.expiresAt)
            #expect(abs(expiry.timeIntervalSinceNow - 30 * 86400) < 120)

            // 25 days on, the plan renews what is wanted; the neglected one is left to expire.
            fixture.sandbox.advanceClock(by: .seconds(25 * 86400))
            let now = Date().addingTimeInterval(25 * 86400)
            let known = [KnownSubscription(id: "row-1", resource: "project = MLC", externalID: kept.id, active: true, lastSign: now)]
            let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "project = MLC")], vendor: try await api.list().filter { $0.id == kept.id },
                                             known: known, targetPrefix: target, facts: facts, now: now)
            #expect(plan.renew == [kept.id] && plan.create.isEmpty)
            try await api.renew(ids: plan.renew)
            fixture.sandbox.advanceClock(by: .seconds(10 * 86400))
            #expect(try await api.list().map(\.id) == [kept.id])
            #expect(!(try await api.list().contains { $0.id == neglected.id }))
            try await api.delete(id: kept.id)
            #expect(try await api.list().isEmpty)
        }
    }

    @Test func signedDeliveriesReachTheTargetWithAStableIdentifierWhenDuplicated() async throws {
        try await JiraFixture.with { fixture in
            let receiver = try await DeliveryReceiver.start()
            defer { _Concurrency.Task { await receiver.stop() } }
            let api = try #require(JiraConnector().subscriptions(pipeline: fixture.pipeline, connection: fixture.connection))
            let subscription = try await api.create(WantedSubscription(resource: "project = MLC", filter: "issues-and-worklogs"), target: receiver.url)
            var faults = FaultPlan()
            faults.duplicateWebhooks = true
            fixture.sandbox.setFaults(faults)
            let issue = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Hooked"), key: "hooked", previousAttemptUncertain: false, record: JiraCreatedIssues())
            let received = try await receiver.waitFor(count: 2)
            let context = WebhookSubscriptionContext(id: "sub", connectionID: "jira-test", secret: subscription.signingSecret)
            var ids = Set<String>()
            for delivery in received {
                guard case .accepted(let events) = try JiraWebhookVerifier().verify(delivery, subscription: context) else { Issue.record("a sandbox delivery was refused"); return }
                #expect(events.map(\.ref) == [.jira(.issue, issue.id)] && events.first?.action == .created)
                ids.formUnion(events.map(\.eventID))
            }
            #expect(ids.count == 1)
        }
    }
}
