import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import Logging
import NIOConcurrencyHelpers
import Sandbox
import Server
import ServiceLifecycle
import Store
import TestSupport
import Testing

/// Records the change jobs an integration would get.
final class RecordingChangeHandler: JobHandler {
    let kind: String

    init(kind: String = "fbtest.change") {
        self.kind = kind
    }

    private let seen = NIOLockedValueBox<[ChangeEvent]>([])

    var events: [ChangeEvent] { seen.withLockedValue { $0 } }

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(TriggerRouter.ChangePayload.self)
        seen.withLockedValue { $0.append(payload.event) }
        return JobOutcome(sourceRef: payload.event.ref.description, unchanged: true)
    }
}

/// The server, its workers and a FreshBooks sandbox, all on loopback.
struct LiveServer {
    let fixture: FreshBooksFixture
    let engine: LiveEngine
    let changes: RecordingChangeHandler

    var server: LoopbackServer { engine.server }

    static func start() async throws -> LiveServer {
        let fixture = try await FreshBooksFixture.start()
        try await fixture.store.saveIntegration(IntegrationRecord(id: "fbtest", kind: "fbtest", connections: ["freshbooks": fixture.connection.id]))
        let changes = RecordingChangeHandler()
        return LiveServer(fixture: fixture, engine: try await LiveEngine.start(store: fixture.store, pipeline: fixture.pipeline, extra: [changes]), changes: changes)
    }

    func stop() async {
        await engine.stop()
        await fixture.stop()
    }

    func runUpkeep(events: [String]) async throws {
        try await fixture.store.enqueue(try WebhookUpkeepJob.schedule(connection: fixture.connection, publicURL: server.baseURL, wanted: events.map { WantedSubscription(resource: $0) }))
    }

    func waitUntil(_ what: String, timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

@Suite struct FreshBooksWebhookLifecycleTests {
    @Test func callbacksAreRegisteredVerifiedAndDeliveriesBecomeChangeJobs() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        let store = live.fixture.store
        try await live.runUpkeep(events: ["client.create", "invoice.update"])
        try await live.waitUntil("both callbacks verified") {
            let subscriptions = try await store.subscriptions(connectionID: live.fixture.connection.id)
            return subscriptions.count == 2 && subscriptions.allSatisfy { $0.status == .active }
        }
        let registered = try await live.fixture.client.callbacks().collect()
        #expect(registered.count == 2 && registered.allSatisfy(\.verified))

        let created = try await live.fixture.makeClient()
        try await live.waitUntil("the client.create change") { live.changes.events.contains { $0.ref.id == "\(created.id)" } }
        let event = try #require(live.changes.events.first { $0.ref.id == "\(created.id)" })
        #expect(event.ref.type == "client" && event.connectionID == live.fixture.connection.id && event.action == .created)

        // Duplicated deliveries change nothing: one change job per record.
        var faults = FaultPlan()
        faults.duplicateWebhooks = true
        live.fixture.sandbox.setFaults(faults)
        let twice = try await live.fixture.makeClient(email: "twice@client.test")
        try await live.waitUntil("the duplicated delivery") { live.changes.events.contains { $0.ref.id == "\(twice.id)" } }
        try await Task.sleep(for: .milliseconds(300))
        #expect(live.changes.events.filter { $0.ref.id == "\(twice.id)" }.count == 1)
        let inbox = try await store.backend.query("SELECT COUNT(*) AS n FROM inbox", [])
        #expect(inbox.first?.values["n"] == .int(2))
    }

    @Test func upkeepRecreatesADeletedCallback() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        let store = live.fixture.store
        try await live.runUpkeep(events: ["client.create"])
        try await live.waitUntil("the callback verified") { try await store.subscriptions(connectionID: live.fixture.connection.id).first?.status == .active }
        let first = try #require(try await live.fixture.client.callbacks().collect().first)
        try await live.fixture.client.deleteCallback(id: first.callbackid)

        try await live.runUpkeep(events: ["client.create"])
        try await live.waitUntil("a new verified callback") {
            let callbacks = try await live.fixture.client.callbacks().collect()
            return callbacks.count == 1 && callbacks[0].callbackid != first.callbackid && callbacks[0].verified
        }
        try await live.waitUntil("one active subscription") {
            let subscriptions = try await store.subscriptions(connectionID: live.fixture.connection.id)
            return subscriptions.count == 1 && subscriptions[0].status == .active
        }
        let created = try await live.fixture.makeClient()
        try await live.waitUntil("the change through the new callback") { live.changes.events.contains { $0.ref.id == "\(created.id)" } }
    }

    @Test func whenDeliveriesAreLostThePollFindsTheChange() async throws {
        let live = try await LiveServer.start()
        defer { Task { await live.stop() } }
        var faults = FaultPlan()
        faults.dropWebhooks = true
        live.fixture.sandbox.setFaults(faults)
        try await live.runUpkeep(events: ["client.create"])
        try await live.waitUntil("the callback verified") { try await live.fixture.store.subscriptions(connectionID: live.fixture.connection.id).first?.status == .active }
        let created = try await live.fixture.makeClient()
        try await Task.sleep(for: .milliseconds(200))
        #expect(!live.changes.events.contains { $0.ref.id == "\(created.id)" })
        try await live.fixture.store.enqueue(try PollJob.schedule(connection: live.fixture.connection, feed: "clients", every: .seconds(300)))
        try await live.waitUntil("the polled change") { live.changes.events.contains { $0.ref.id == "\(created.id)" } }
        #expect(try await live.fixture.store.cursor(connectionID: live.fixture.connection.id, feed: "clients") != nil)
    }
}
