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

    /// Starts it for `body` and stops it before returning.
    static func with<Value>(_ body: (LiveServer) async throws -> Value) async throws -> Value {
        try await withStarted({ try await start() }, stop: { await $0.stop() }, body)
    }

    func runUpkeep(events: [String]) async throws {
        try await fixture.store.enqueue(try WebhookUpkeepJob.schedule(connection: fixture.connection, publicURL: server.baseURL, wanted: events.map { WantedSubscription(resource: $0) }))
    }
}

@Suite struct FreshBooksWebhookLifecycleTests {
    @Test func callbacksAreRegisteredVerifiedAndDeliveriesBecomeChangeJobs() async throws {
        try await LiveServer.with { live in
            let store = live.fixture.store
            try await live.runUpkeep(events: ["client.create", "invoice.update"])
            try await eventually("both callbacks verified") {
                let subscriptions = try await store.subscriptions(connectionID: live.fixture.connection.id)
                return subscriptions.count == 2 && subscriptions.allSatisfy { $0.status == .active }
            }
            let registered = try await live.fixture.client.callbacks().collect()
            #expect(registered.count == 2 && registered.allSatisfy(\.verified))

            let created = try await live.fixture.makeClient()
            try await eventually("the client.create change") { live.changes.events.contains { $0.ref.id == "\(created.id)" } }
            let event = try #require(live.changes.events.first { $0.ref.id == "\(created.id)" })
            #expect(event.ref.type == "client" && event.connectionID == live.fixture.connection.id && event.action == .created)

            // Duplicated deliveries change nothing: one change job per record.
            var faults = FaultPlan()
            faults.duplicateWebhooks = true
            live.fixture.sandbox.setFaults(faults)
            let twice = try await live.fixture.makeClient(email: "twice@client.test")
            try await eventually("the duplicated delivery") { live.changes.events.contains { $0.ref.id == "\(twice.id)" } }
            try await eventually("both copies answered and every change job run") {
                let answered = try await live.fixture.deliveries().filter { $0["objectID"]?.text == "\(twice.id)" && $0["status"]?.int != nil }
                let waiting = try await store.jobs(state: .pending, integrationID: nil, limit: 100).filter { $0.kind == live.changes.kind }
                let running = try await store.jobCounts()[.running, default: 0]
                return answered.count == 2 && waiting.isEmpty && running == 0
            }
            #expect(live.changes.events.filter { $0.ref.id == "\(twice.id)" }.count == 1)
            let inbox = try await store.backend.query("SELECT COUNT(*) AS n FROM inbox", [])
            #expect(inbox.first?.values["n"] == .int(2))
        }
    }

    @Test func upkeepRecreatesADeletedCallback() async throws {
        try await LiveServer.with { live in
            let store = live.fixture.store
            try await live.runUpkeep(events: ["client.create"])
            try await eventually("the callback verified") { try await store.subscriptions(connectionID: live.fixture.connection.id).first?.status == .active }
            let first = try #require(try await live.fixture.client.callbacks().collect().first)
            try await live.fixture.client.deleteCallback(id: first.callbackid)

            try await live.runUpkeep(events: ["client.create"])
            try await eventually("a new verified callback") {
                let callbacks = try await live.fixture.client.callbacks().collect()
                return callbacks.count == 1 && callbacks[0].callbackid != first.callbackid && callbacks[0].verified
            }
            try await eventually("one active subscription") {
                let subscriptions = try await store.subscriptions(connectionID: live.fixture.connection.id)
                return subscriptions.count == 1 && subscriptions[0].status == .active
            }
            let created = try await live.fixture.makeClient()
            try await eventually("the change through the new callback") { live.changes.events.contains { $0.ref.id == "\(created.id)" } }
        }
    }

    @Test func whenDeliveriesAreLostThePollFindsTheChange() async throws {
        try await LiveServer.with { live in
            var faults = FaultPlan()
            faults.dropWebhooks = true
            live.fixture.sandbox.setFaults(faults)
            try await live.runUpkeep(events: ["client.create"])
            try await eventually("the callback verified") { try await live.fixture.store.subscriptions(connectionID: live.fixture.connection.id).first?.status == .active }
            let created = try await live.fixture.makeClient()
            try await eventually("the sandbox dropping the delivery") {
                try await live.fixture.deliveries().contains { $0["objectID"]?.text == "\(created.id)" && $0["dropped"]?.bool == true }
            }
            #expect(!live.changes.events.contains { $0.ref.id == "\(created.id)" })
            try await live.fixture.store.enqueue(try PollJob.schedule(connection: live.fixture.connection, feed: "clients", every: .seconds(300)))
            try await eventually("the polled change") { live.changes.events.contains { $0.ref.id == "\(created.id)" } }
            #expect(try await live.fixture.store.cursor(connectionID: live.fixture.connection.id, feed: "clients") != nil)
        }
    }
}
