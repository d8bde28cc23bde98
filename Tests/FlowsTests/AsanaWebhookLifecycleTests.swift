import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import Logging
import Sandbox
import Server
import ServiceLifecycle
import Store
import TestSupport
import Testing

/// The server, its workers and an Asana sandbox, all on loopback.
struct AsanaLive {
    let fixture: AsanaFixture
    let engine: LiveEngine
    let changes: RecordingChangeHandler

    var server: LoopbackServer { engine.server }

    static func start() async throws -> AsanaLive {
        let fixture = try await AsanaFixture.start()
        try await fixture.store.saveIntegration(IntegrationRecord(id: "astest", kind: "astest", connections: ["asana": fixture.connection.id]))
        let changes = RecordingChangeHandler(kind: "astest.change")
        return AsanaLive(fixture: fixture, engine: try await LiveEngine.start(store: fixture.store, pipeline: fixture.pipeline, extra: [changes]), changes: changes)
    }

    func stop() async {
        await engine.stop()
        await fixture.stop()
    }

    /// Starts it for `body` and stops it before returning.
    static func with<Value>(_ body: (AsanaLive) async throws -> Value) async throws -> Value {
        try await withStarted({ try await start() }, stop: { await $0.stop() }, body)
    }

    func upkeep(projects: [String], workspace: Bool = false) async throws {
        var wanted = projects.map { WantedSubscription(resource: $0, filter: "project-tasks") }
        if workspace { wanted.append(WantedSubscription(resource: try AsanaClient(pipeline: fixture.pipeline, connection: fixture.connection).workspaceGID(), filter: "workspace-projects")) }
        try await fixture.store.enqueue(try WebhookUpkeepJob.schedule(connection: fixture.connection, publicURL: server.baseURL, wanted: wanted))
    }
}

@Suite struct AsanaWebhookLifecycleTests {
    @Test func handshakeDeliveriesAndHeartbeatGoThroughTheIngress() async throws {
        try await AsanaLive.with { live in
            let store = live.fixture.store
            let project = try await live.fixture.client.createProject(ProjectDraft(name: "Live", team: live.fixture.sandbox.teamGID))
            try await live.upkeep(projects: [project.gid], workspace: true)
            try await eventually("two active webhooks") {
                let subscriptions = try await store.subscriptions(connectionID: live.fixture.connection.id)
                return subscriptions.count == 2 && subscriptions.allSatisfy { $0.status == .active && $0.externalID != nil }
            }
            let subscription = try #require(try await store.subscriptions(connectionID: live.fixture.connection.id).first { $0.resource == project.gid })
            #expect(try await store.subscriptionSecret(id: subscription.id) != nil)

            let task = try await live.fixture.client.createTask(TaskDraft(name: "Design", projects: [project.gid]), key: "k1", keyField: nil, previousAttemptUncertain: false)
            _ = try await live.fixture.client.completeTask(gid: task.gid)
            try await eventually("the task change") { live.changes.events.contains { $0.ref.id == task.gid } }
            #expect(live.changes.events.first { $0.ref.id == task.gid }?.connectionID == live.fixture.connection.id)

            // A new project in the workspace arrives through the workspace webhook.
            let second = try await live.fixture.client.createProject(ProjectDraft(name: "Another", team: live.fixture.sandbox.teamGID))
            try await eventually("the new project") { live.changes.events.contains { $0.ref == ExternalRef(system: .asana, type: "project", id: second.gid) } }

            live.fixture.sandbox.sendHeartbeats()
            try await eventually("a heartbeat") { try await store.subscription(id: subscription.id)?.lastHeartbeatAt != nil }
        }
    }

    @Test func aDeletedWebhookIsRegisteredAgainAndThePollFillsTheGap() async throws {
        try await AsanaLive.with { live in
            let store = live.fixture.store
            let project = try await live.fixture.client.createProject(ProjectDraft(name: "Gap", team: live.fixture.sandbox.teamGID))
            // The poll's sync token is taken before anything happens.
            try await store.enqueue(try PollJob.schedule(connection: live.fixture.connection, feed: "project:\(project.gid)", every: .seconds(300)))
            try await live.upkeep(projects: [project.gid])
            try await eventually("the webhook") { try await store.subscriptions(connectionID: live.fixture.connection.id).first.map { $0.status == .active && $0.externalID != nil } == true }
            try await eventually("the first poll") { try await store.cursor(connectionID: live.fixture.connection.id, feed: "project:\(project.gid)") != nil }
            let first = try #require(try await store.subscriptions(connectionID: live.fixture.connection.id).first)

            // Asana deletes the webhook without notice; a change happens meanwhile.
            live.fixture.sandbox.deleteWebhook(try #require(first.externalID))
            let task = try await live.fixture.client.createTask(TaskDraft(name: "Changed during the gap", projects: [project.gid]), key: "gap", keyField: nil, previousAttemptUncertain: false)
            try await _Concurrency.Task.sleep(for: .milliseconds(200))
            #expect(!live.changes.events.contains { $0.ref.id == task.gid })

            try await live.upkeep(projects: [project.gid])
            try await eventually("a new webhook") {
                let subscriptions = try await store.subscriptions(connectionID: live.fixture.connection.id)
                return subscriptions.count == 1 && subscriptions[0].id != first.id && subscriptions[0].status == .active
            }
            // Our handshake marks the subscription active a moment before Asana stores the webhook.
            try await eventually("the webhook at Asana") { live.fixture.sandbox.webhookGIDs.count == 1 }
            try await store.enqueue(try PollJob.schedule(connection: live.fixture.connection, feed: "project:\(project.gid)", every: .seconds(300)))
            try await eventually("the change found by the poll") { live.changes.events.contains { $0.ref.id == task.gid } }
        }
    }
}
