import Asana
import ConnectorKit
import Engine
import Flows
import Foundation
import Logging
import Sandbox
import Store
import TestSupport
import Testing

/// A poll's re-read of a project (its first crawl) asks for one reconciliation, due when the
/// poll was: its tasks' events pass over to the project's own event, so N tasks do not race N
/// reconciliations against each other, and under a rate limit the project's writes start among
/// the other projects' first polls instead of behind every one of them.
@Suite struct FreshBooksAsanaResyncTests {
    /// A change job of integration `resync` for `event`, stored and read back (due `runAt`).
    static func changeJob(_ world: AgencyWorld, _ event: ChangeEvent, trigger: TriggerSource, runAt: Date) async throws -> JobRecord {
        let request = try JobRequest(kind: TriggerRouter.changeKind(forIntegrationKind: FreshBooksAsanaConfig.kind), integrationID: "resync", connectionID: world.asanaConnection.id,
                                     coalesceKey: TriggerRouter.coalesceKey(integrationID: "resync", ref: event.ref), payload: TriggerRouter.ChangePayload(event: event, trigger: trigger), runAt: runAt)
        var job = try #require(try await world.store.job(id: try await world.store.enqueue(request).jobID))
        job.runAt = runAt
        return job
    }

    /// How the store writes job payloads' times.
    static let payloadDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    /// The reconciliations `outcome` enqueues.
    static func reconciliations(_ outcome: JobOutcome) -> [JobRequest] {
        outcome.writes.compactMap { write in
            guard case .enqueue(let request) = write, request.kind == FreshBooksAsanaBillingJob.kind else { return nil }
            return request
        }
    }

    @Test func aReReadsTasksPassOverAndItsProjectEventIsDueWhenThePollWas() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            try await world.apply(name: "resync")
            let project = try await world.project("Resync: Harbour")
            let task = try await world.completedTask("Survey", in: project.gid, amount: "120.00")
            let parent = ExternalRef.asana(.project, project.gid)
            let handler = FreshBooksAsanaChangeJob(pipeline: world.fb.pipeline)
            let polledAt = Date().addingTimeInterval(-5)
            let now = Date()
            let context = JobContext(store: world.store, attempt: 1, now: now, logger: Logger(label: "test"))

            // A task of the re-read: nothing enqueued, the project's event stands for it.
            let reread = ChangeEvent(eventID: "asana-resync:\(task.gid)", ref: .asana(.task, task.gid), action: .updated, connectionID: world.asanaConnection.id, parent: parent, resyncOf: parent)
            let passed = try await handler.run(try await Self.changeJob(world, reread, trigger: .poll, runAt: polledAt), context: context)
            #expect(Self.reconciliations(passed).isEmpty, "a re-read task asked for its own reconciliation")
            #expect(passed.unchanged)

            // The project's event: one reconciliation, due when the poll was, not a settle later.
            let standing = ChangeEvent(eventID: "asana-resync:\(project.gid)", ref: parent, action: .updated, connectionID: world.asanaConnection.id, vendorEvent: "resync", resyncOf: parent)
            #expect(standing.standsForResync && !reread.standsForResync)
            let asked = Self.reconciliations(try await handler.run(try await Self.changeJob(world, standing, trigger: .poll, runAt: polledAt), context: context))
            #expect(asked.count == 1)
            #expect(asked.first?.runAt == polledAt)

            // A task's change that came on its own still waits for the rest of its burst.
            let alone = ChangeEvent(eventID: "webhook-1", ref: .asana(.task, task.gid), action: .updated, connectionID: world.asanaConnection.id, parent: parent)
            let settled = Self.reconciliations(try await handler.run(try await Self.changeJob(world, alone, trigger: .webhook, runAt: now), context: context))
            #expect(settled.count == 1)
            #expect(settled.first.map { abs($0.runAt.timeIntervalSince(now) - 1) < 0.001 } == true, "due \(String(describing: settled.first?.runAt.timeIntervalSince(now)))s after the change")
            // So does the team listing's change of the project: it folds with a burst.
            let listed = ChangeEvent(eventID: "asana-team-poll:\(project.gid)", ref: parent, action: .created, connectionID: world.asanaConnection.id)
            let team = Self.reconciliations(try await handler.run(try await Self.changeJob(world, listed, trigger: .poll, runAt: polledAt), context: context))
            #expect(team.first.map { abs($0.runAt.timeIntervalSince(now) - 1) < 0.001 } == true)
        }
    }

    @Test func aPollsChangesAreDueWhenThePollWasAndAFirstCrawlStandsForItsTasks() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            // The integration routes the poll's changes; its own team poll runs first, so the
            // engine polls nothing of the project below (its next team poll is 30 s away).
            try await world.apply(name: "resync-poll")
            try await eventually("the team's first poll", timeout: .seconds(10)) {
                try await world.store.cursor(connectionID: world.asanaConnection.id, feed: AsanaFeedName.team(world.asanaSandbox.teamGID)) != nil
            }
            let project = try await world.project("Resync: Quay")
            for name in ["One", "Two", "Three"] { try await world.completedTask(name, in: project.gid, amount: "10.00") }
            // Stored not yet due, so the engine leaves it to this test; run as if due 30 s ago.
            let request = try PollJob.schedule(connection: world.asanaConnection, feed: AsanaFeedName.project(project.gid), every: .seconds(3600), startingAt: Date().addingTimeInterval(3600))
            var poll = try #require(try await world.store.job(id: try await world.store.enqueue(request).jobID))
            let due = Date().addingTimeInterval(-30)
            poll.runAt = due
            let catalog = SystemCatalog(pipeline: world.fb.pipeline, publicURL: nil)
            let handler = PollJob(catalog: catalog, routableKinds: [TriggerRouter.changeKind(forIntegrationKind: FreshBooksAsanaConfig.kind)])
            let outcome = try await handler.run(poll, context: JobContext(store: world.store, attempt: 1, now: Date(), logger: Logger(label: "test")))
            let changes: [(request: JobRequest, event: ChangeEvent)] = try outcome.writes.compactMap { write in
                guard case .enqueue(let request) = write, request.kind.hasSuffix(".change") else { return nil }
                return (request, try Self.payloadDecoder.decode(TriggerRouter.ChangePayload.self, from: Data(request.payload.utf8)).event)
            }
            let parent = ExternalRef.asana(.project, project.gid)
            #expect(changes.filter { $0.event.ref.type == AsanaRecord.task.rawValue }.count == 3)
            #expect(changes.allSatisfy { $0.event.resyncOf == parent })
            #expect(changes.filter { $0.event.standsForResync }.map { $0.event.ref } == [parent])
            #expect(changes.allSatisfy { $0.request.runAt == due }, "changes due \(changes.map { $0.request.runAt.timeIntervalSince(due) }) after the poll")
        }
    }

    /// The team's first poll starts from what `apply` listed and each project's own crawl
    /// covers: it asks no project for a second reconciliation. Without the seed, each
    /// project would be read twice (the team's "created" event a second after the crawl's).
    @Test func aFirstApplyReadsEachProjectOnce() async throws {
        try await AgencyWorld.with(database: .sqlite) { world in
            var projects: [String] = []
            for name in ["Once: Pier", "Once: Dock"] {
                let project = try await world.project(name)
                try await world.completedTask("Work on \(name)", in: project.gid, amount: "75.00")
                projects.append(project.gid)
            }
            let empty = try await world.project("Once: Empty").gid
            try await world.apply(name: "once")
            try await eventually("two invoices and three FreshBooks projects", timeout: .seconds(20)) {
                let counts = try await world.counts()
                return counts[1] == 3 && counts[2] == 2
            }
            // Past the settle a second reconciliation would wait.
            try await Task.sleep(for: .milliseconds(2500))
            for gid in projects + [empty] {
                #expect(world.asanaSandbox.requestCounts["GET \(AsanaSandbox.prefix)/projects/\(gid)"] == 1, "project \(gid) read \(world.asanaSandbox.requestCounts["GET \(AsanaSandbox.prefix)/projects/\(gid)"] ?? 0) times")
            }
            // The team's poll did run, and still reports a project made after the listing.
            let late = try await world.project("Once: Late").gid
            try await world.pollUntil("once", "the late project's FreshBooks project") { try await world.counts()[1] == 4 }
            #expect(world.asanaSandbox.requestCounts["GET \(AsanaSandbox.prefix)/projects/\(late)"] ?? 0 >= 1)
        }
    }

    @Test func scheduledJobsAreDueOneAfterAnotherInTheirOrder() throws {
        let start = Date()
        let jobs = try (0..<3).map { ScheduledJob(try JobRequest(kind: "k", coalesceKey: "poll:\($0)", payload: ["n": $0], runAt: .distantFuture), "poll \($0)") }
        let due = ScheduledJob.dueInOrder(jobs, from: start).map { $0.runAt.timeIntervalSince(start) }
        #expect(due.count == 3)
        #expect(zip(due, due.dropFirst()).allSatisfy { $0 < $1 }, "\(due)")
        #expect(due.first == 0)
        #expect(due.last.map { $0 < 0.01 } == true)
    }
}
