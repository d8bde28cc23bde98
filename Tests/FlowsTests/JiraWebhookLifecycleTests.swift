import ConnectorKit
import Flows
import Foundation
import Jira
import Sandbox
import Store
import TestSupport
import Testing

/// Jira's dynamic webhooks through the shared upkeep and the real ingress: registered with the
/// app's secret, deliveries verified by their JWT, renewed before they expire, and registered
/// again once expired.
@Suite struct JiraWebhookLifecycleTests {
    @Test func upkeepRegistersRenewsAndReplacesAnExpiredDynamicWebhook() async throws {
        var configuration = JiraSandbox.Configuration()
        // Ten days to live: inside the connector's 20-day renewal window from the start.
        configuration.webhookLifetime = .seconds(10 * 86400)
        try await withStarted({ try await JiraFixture.start(oauth: true, configuration: configuration) }, stop: { await $0.stop() }) { fixture in
            let changes = RecordingChangeHandler(kind: "jiratest.change")
            try await fixture.store.saveIntegration(IntegrationRecord(id: "jiratest", kind: "jiratest", connections: ["jira": fixture.connection.id]))
            try await withStarted({ try await LiveEngine.start(store: fixture.store, pipeline: fixture.pipeline, extra: [changes]) }, stop: { await $0.stop() }) { engine in
                let store = fixture.store
                let connection = fixture.connection
                func upkeep() async throws {
                    try await store.enqueue(try WebhookUpkeepJob.schedule(connection: connection, publicURL: engine.baseURL, wanted: [WantedSubscription(resource: "project = MLC")]))
                }

                try await upkeep()
                try await eventually("an active webhook") { try await store.subscriptions(connectionID: connection.id).first?.status == .active }
                let first = try #require(try await store.subscriptions(connectionID: connection.id).first)
                #expect(try await store.subscriptionSecret(id: first.id) == configuration.clientSecret)

                let issue = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Hooked"), key: "hooked", previousAttemptUncertain: false, record: JiraCreatedIssues())
                try await eventually("the delivery") { changes.events.contains { $0.ref == .jira(.issue, issue.id) } }

                let refresh = "PUT /ex/jira/\(fixture.sandbox.cloudID)/rest/api/3/webhook/refresh"
                try await upkeep()
                try await eventually("the refresh") { fixture.sandbox.requestCounts[refresh, default: 0] == 1 }

                // Past its expiry the webhook is gone at Jira; the next upkeep registers another.
                fixture.sandbox.advanceClock(by: .seconds(11 * 86400))
                try await upkeep()
                try await eventually("a new webhook") {
                    let rows = try await store.subscriptions(connectionID: connection.id)
                    return rows.count == 1 && rows[0].id != first.id && rows[0].status == .active
                }
            }
        }
    }
}
