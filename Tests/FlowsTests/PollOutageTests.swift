import ConnectorKit
import Engine
import Flows
import Foundation
import FreshBooks
import NIOConcurrencyHelpers
import Sandbox
import Store
import TestSupport
import Testing

/// Gap 6 of issue 9 as a scenario: a poll whose vendor answers 503 for longer than the poll's
/// whole retry budget is a dead letter and keeps polling, and converges once the vendor is back.
@Suite struct PollOutageTests {
    @Test func gap6_aPollThroughAnOutageLongerThanItsRetryBudgetKeepsPollingAndConverges() async throws {
        let fb = try await FreshBooksFixture.start()
        let seen = NIOLockedValueBox<[String]>([])
        let probe = ChangeProbe(seen: seen)
        try await fb.store.saveIntegration(IntegrationRecord(id: "watcher", kind: "probe", connections: ["freshbooks": fb.connection.id]))
        let engine = try await LiveEngine.start(store: fb.store, pipeline: fb.pipeline, extra: [probe], retry: RetrySchedule(base: .milliseconds(50), cap: .milliseconds(100)))
        do {
            let customer = try await fb.makeClient()

            var outage = FaultPlan()
            outage.failNext = 1_000_000
            outage.failStatus = 503
            fb.sandbox.setFaults(outage)
            var poll = try PollJob.schedule(connection: fb.connection, feed: FreshBooksResource.invoices.rawValue, every: .seconds(1))
            poll.maxAttempts = 2
            try await fb.store.enqueue(poll)
            engine.pool.nudge()
            try await eventually("the poll to spend its budget", timeout: .seconds(60), interval: .milliseconds(100)) {
                !(try await fb.store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).isEmpty)
            }
            // Dead-lettered, and still scheduled; `connection show` can say since when it fails.
            #expect(try await fb.store.jobs(state: nil, integrationID: nil, limit: 50).contains { $0.coalesceKey == poll.coalesceKey && ($0.state == .pending || $0.state == .running) })
            #expect(try await fb.store.failingSchedules(connectionID: fb.connection.id).map(\.coalesceKey) == [poll.coalesceKey])

            fb.sandbox.setFaults(FaultPlan())
            let invoice = try await fb.client.createInvoice(InvoiceDraft(customerID: customer.id, invoiceNumber: "OUT-1", currencyCode: "USD", lines: []), previousAttemptUncertain: false)
            try await eventually("the poll to converge", timeout: .seconds(60), interval: .milliseconds(100)) {
                seen.withLockedValue { $0 }.contains(ExternalRef.freshbooks(.invoice, invoice.id).description)
            }
            try await eventually("the failure to be cleared", timeout: .seconds(30), interval: .milliseconds(100)) {
                try await fb.store.failingSchedules(connectionID: fb.connection.id).isEmpty
            }
        } catch {
            await engine.stop()
            await fb.stop()
            throw error
        }
        await engine.stop()
        await fb.stop()
    }
}

/// The change handler of a `probe` integration: notes each changed record.
struct ChangeProbe: JobHandler {
    let kind = TriggerRouter.changeKind(forIntegrationKind: "probe")
    let seen: NIOLockedValueBox<[String]>

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(TriggerRouter.ChangePayload.self)
        seen.withLockedValue { $0.append(payload.event.ref.description) }
        return JobOutcome(sourceRef: payload.event.ref.description)
    }
}
