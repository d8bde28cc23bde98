import Asana
import ConnectorKit
import Foundation
import Sandbox
import TestSupport
import Testing

/// Reads at the vendor's limit (issue 11): a first read of 20 projects × 250 tasks costs one
/// request per page of 100 plus one per project, later polls read nothing per record, and the
/// task-changed trigger never fetches a task the feed already listed.
@Suite struct BulkReadTests {
    /// Requests the sandbox counted, in total and those that read one task by gid.
    static func counts(_ sandbox: AsanaSandbox) -> (total: Int, perTask: Int, lists: Int) {
        let counts = sandbox.requestCounts
        let perTask = counts.filter { $0.key.hasPrefix("GET \(AsanaSandbox.prefix)/tasks/") }.values.reduce(0, +)
        let lists = counts.filter { $0.key == "GET \(AsanaSandbox.prefix)/tasks" }.values.reduce(0, +)
        return (counts.values.reduce(0, +), perTask, lists)
    }

    /// A queued list is retried like any read (`SystemActionJob` gives only safe actions more than one attempt).
    @Test func everyListIsSafeToRepeat() {
        let lists = AsanaConnector().actions.filter { $0.descriptor.name.hasPrefix("list-") }
        #expect(lists.count >= 3)
        for list in lists { #expect(list.descriptor.safeToRepeat, "\(list.descriptor.name) is a read") }
    }

    @Test func firstPollsReadEveryTaskInPagesAndLaterPollsReadNoRecord() async throws {
        let fixture = try await AsanaFixture.start()
        defer { Task { await fixture.stop() } }
        let projects = fixture.sandbox.seedBulkReadWorld()
        let before = Self.counts(fixture.sandbox)
        var cursors: [String: String] = [:]
        var events: [ChangeEvent] = []
        for project in projects {
            let page = try await AsanaEventsFeed(project: project, client: fixture.client).poll(cursor: nil, now: Date())
            cursors[project] = page.cursor
            events += page.events
        }
        let first = Self.counts(fixture.sandbox)
        // Every task, carried; and one event per project standing for its crawl (`resyncOf`).
        let tasks = events.filter { !$0.standsForResync }
        #expect(tasks.count == 5000)
        #expect(tasks.allSatisfy { $0.snapshot != nil && $0.resyncOf == $0.parent })
        #expect(events.filter { $0.standsForResync }.map { $0.ref } == projects.map { ExternalRef.asana(.project, $0) })
        #expect(tasks.first?.record(as: AsanaTask.self)?.custom_fields?.count == 2)
        // At most 1.2 requests per 100 tasks plus one per project.
        #expect(first.total - before.total <= 5000 / 100 * 12 / 10 + projects.count)
        #expect(first.perTask == 0)

        for project in projects {
            let page = try await AsanaEventsFeed(project: project, client: fixture.client).poll(cursor: cursors[project], now: Date())
            #expect(page.events.isEmpty)
        }
        let second = Self.counts(fixture.sandbox)
        #expect(second.total - first.total == projects.count, "one events call per project, nothing per record")
        #expect(second.lists == first.lists)
    }

    @Test func aBurstOfChangedTasksIsReadBackInPagesNotOneByOne() async throws {
        let fixture = try await AsanaFixture.start()
        defer { Task { await fixture.stop() } }
        let project = fixture.sandbox.seedProject(name: "Burst")
        let gids = fixture.sandbox.seedTasks(project: project, count: 250)
        let feed = AsanaEventsFeed(project: project, client: fixture.client)
        let first = try await feed.poll(cursor: nil, now: Date())
        for gid in gids.prefix(150) { _ = try await fixture.client.updateTask(gid: gid, TaskDraft(name: "Renamed \(gid)")) }
        let before = Self.counts(fixture.sandbox)
        let page = try await feed.poll(cursor: first.cursor, now: Date())
        let after = Self.counts(fixture.sandbox)
        let eventCalls = (fixture.sandbox.requestCounts["GET \(AsanaSandbox.prefix)/events"] ?? 0)
        #expect(page.events.count == 150)
        #expect(page.events.allSatisfy { $0.record(as: AsanaTask.self)?.name.hasPrefix("Renamed") == true })
        #expect(after.perTask == before.perTask)
        #expect(after.lists - before.lists <= 2, "150 changed tasks cost at most two list pages, not 150 reads")
        #expect(after.total - before.total - (after.lists - before.lists) <= 2, "the rest are events calls (\(eventCalls) so far)")
    }

    @Test func taskChangedUsesWhatTheFeedReadAndFetchesNoTask() async throws {
        let fixture = try await AsanaFixture.start()
        defer { Task { await fixture.stop() } }
        let project = fixture.sandbox.seedProject(name: "Trigger")
        let gids = fixture.sandbox.seedTasks(project: project, count: 120)
        let trigger = try AsanaConnector().action(named: "task-changed")
        let arguments = ActionArguments(values: ["project": project])
        let first = try await trigger.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: arguments))
        #expect(first.records.count == 120)
        for gid in gids.prefix(3) { _ = try await fixture.client.completeTask(gid: gid) }
        let second = try await trigger.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: arguments, cursor: first.cursor))
        #expect(second.records.count == 3)
        #expect(Self.counts(fixture.sandbox).perTask == 0, "no task is fetched by gid")
    }

    @Test func listTasksOfAWorkspaceStreamsEveryTaskInPages() async throws {
        let fixture = try await AsanaFixture.start()
        defer { Task { await fixture.stop() } }
        let projects = fixture.sandbox.seedBulkReadWorld()
        let before = Self.counts(fixture.sandbox)
        let streamed = Streamed()
        let list = try AsanaConnector().action(named: "list-tasks")
        #expect(list.descriptor.streams)
        let result = try await list.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection,
                                                   arguments: ActionArguments(values: ["workspace": fixture.sandbox.workspaceGID]), emit: { name, record in
            await streamed.add(name, record.ref.id)
        }))
        let after = Self.counts(fixture.sandbox)
        #expect(result.records.isEmpty, "streamed records are not kept")
        #expect(await streamed.ids.count == 5000)
        #expect(Set(await streamed.ids).count == 5000)
        #expect(await streamed.names == ["tasks"])
        #expect(after.total - before.total <= 5000 / 100 * 12 / 10 + projects.count)
        #expect(after.perTask == 0)

        let fields = try await (try AsanaConnector().action(named: "list-custom-fields")).run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments()))
        #expect(fields.rows.map { $0[1] }.contains("Estimate"))
    }

    @Test func theTokenBucketKeepsASustainedReadUnderTheVendorLimit() async throws {
        let fixture = try await AsanaFixture.start()
        defer { Task { await fixture.stop() } }
        var connection = fixture.connection
        connection.settings["rate_limit"] = "20/2s"
        fixture.sandbox.setFaults({ var plan = FaultPlan(); plan.rateLimitPerMinute = 20; plan.rateLimitWindowSeconds = 2; return plan }())
        let client = AsanaClient(pipeline: fixture.pipeline, connection: connection)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Four callers share the connection's one bucket.
            for _ in 0..<4 { group.addTask { for _ in 0..<10 { _ = try await client.me() } } }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        #expect(fixture.sandbox.faults.rateLimitedCount == 0, "no request met a 429")
        // 40 calls at 90% of 10/s after a burst of one: spent evenly, about 4 s, not all at once.
        #expect(elapsed > .seconds(3))
    }
}

/// What a streaming action handed its sink.
actor Streamed {
    var ids: [String] = []
    var names: Set<String> = []

    func add(_ name: String, _ id: String) {
        names.insert(name)
        ids.append(id)
    }
}
