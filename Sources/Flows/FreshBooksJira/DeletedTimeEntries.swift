import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Jira
import Store

/// Finds time entries deleted in FreshBooks while webhooks were lost. FreshBooks deletes a time
/// entry outright: it leaves every list, `updated_since` included, and reading it answers 404
/// (digest A6), so no poll of changes can see it go. This job, scheduled with the polls, reads
/// the linked entries back a batch at a time, in id order from where the last run stopped
/// (the cursor), and for each one FreshBooks no longer has enqueues the entry's deletion as a
/// change job under the entry's own key: the change handler deletes the worklog, idempotently.
/// Each run costs at most `batchSize` reads, so every linked entry is checked once every
/// ⌈links / batchSize⌉ poll intervals; a run cut short by a failed read keeps the entries it
/// read (the cursor stops at the last one), so its retry reads none of them again.
public struct FreshBooksJiraDeletedEntriesJob: JobHandler {
    /// The job kind.
    public static let kindName = "\(FreshBooksJiraConfig.kind).deleted-time-entries"
    public let kind = Self.kindName
    let pipeline: HTTPPipeline

    /// Entries read back per run.
    static let batchSize = 25

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The recurring check of one integration's linked time entries, every `interval`.
    static func schedule(integration: IntegrationRecord, freshbooks: Connection, every interval: Duration, startingAt: Date) throws -> JobRequest {
        try JobRequest(kind: kindName, tenant: integration.tenant, integrationID: integration.id, connectionID: freshbooks.id,
                       coalesceKey: "\(kindName):\(integration.id)", payload: [String: String](), runAt: startingAt, repeatEvery: interval, source: .schedule)
    }

    /// Where the cursor is kept: the FreshBooks connection's cursor table, under the integration.
    static func cursorFeed(integrationID: String) -> String { "\(kindName):\(integrationID)" }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let integration = try await context.integration(of: job)
        let session = try await FreshBooksJiraSession(integration: integration, context: context, pipeline: pipeline, consistency: .standard)
        let feed = Self.cursorFeed(integrationID: integration.id)
        let connectionID = session.freshbooks.connection.id
        let after = Int(try await context.store.cursor(connectionID: connectionID, feed: feed) ?? "") ?? 0
        let linked = Set(try await context.store.links(integrationID: integration.id)
            .filter { $0.source.system == .freshbooks && $0.source.type == FreshBooksRecord.timeEntry.rawValue && $0.target.type == JiraRecord.worklog.rawValue }
            .compactMap { Int($0.source.id) })
        let batch = Self.batch(linked, after: after, size: Self.batchSize)
        var gone: [Int] = []
        var checked: [Int] = []
        var stopped = ""
        for entry in batch {
            do {
                _ = try await session.freshbooks.timeEntry(id: entry)
            } catch ConnectorError.notFound(_) {
                gone.append(entry)
            } catch where !checked.isEmpty {
                // A rate limit or outage mid-batch: keep what was read, the next run goes on from here.
                stopped = "; stopped at \(entry): \(error)"
                break
            }
            checked.append(entry)
        }
        // Every entry of a batch gone at once may be the connection now reaching another
        // FreshBooks account (where every id answers 404), not a person deleting them: the
        // worklogs are deleted only when the account still lists time entries at all.
        if Self.needsAccountCheck(gone: gone.count, checked: checked.count), try await !Self.accountHasTimeEntries(session.freshbooks) {
            return JobOutcome(writes: [], sourceRef: "freshbooks:feed:deleted-time-entries", unchanged: true,
                              action: "check \(checked.count) of \(linked.count) linked time entries: every one answered not found and the account lists no time entries; "
                                  + "no worklog deleted (is the FreshBooks connection on another account?)")
        }
        let jobs = try gone.map { entry in
            let ref = ExternalRef.freshbooks(.timeEntry, entry)
            let event = ChangeEvent(eventID: "fb-check:time_entry:\(entry):deleted", ref: ref, action: .deleted, occurredAt: context.now, connectionID: connectionID,
                                    accountRef: session.freshbooks.connection.accountRef)
            return try JobRequest(kind: TriggerRouter.changeKind(forIntegrationKind: FreshBooksJiraConfig.kind), tenant: integration.tenant, integrationID: integration.id,
                                  connectionID: connectionID, coalesceKey: TriggerRouter.coalesceKey(integrationID: integration.id, ref: ref),
                                  payload: TriggerRouter.ChangePayload(event: event, trigger: .poll), runAt: context.now, source: .poll)
        }
        let next = Self.cursor(batch: batch, checked: checked.count, size: Self.batchSize)
        return JobOutcome(writes: jobs.map(StoreWrite.enqueue) + [.setCursor(connectionID: connectionID, feed: feed, value: "\(next)")],
                          sourceRef: "freshbooks:feed:deleted-time-entries", unchanged: gone.isEmpty,
                          action: "check \(checked.count) of \(linked.count) linked time entries: \(gone.isEmpty ? "none deleted" : "deleted in FreshBooks: \(gone.map(String.init).joined(separator: ", "))")\(stopped)")
    }

    /// True when a batch's answers alone cannot be trusted: more than one entry read and every
    /// one gone. One entry gone, or some gone among others found, is a person deleting them.
    public static func needsAccountCheck(gone: Int, checked: Int) -> Bool {
        checked > 1 && gone == checked
    }

    /// True when the account lists at least one time entry (one page read).
    static func accountHasTimeEntries(_ freshbooks: FreshBooksClient) async throws -> Bool {
        for try await _ in try freshbooks.timeEntries() { return true }
        return false
    }

    /// Where the next run starts: after the last entry read when the run was cut short or the
    /// batch was full; from the start (0) once a short batch reached the last entry.
    public static func cursor(batch: [Int], checked: Int, size: Int) -> Int {
        guard checked > 0 else { return 0 }
        return checked < batch.count || batch.count >= size ? batch[min(checked, batch.count) - 1] : 0
    }

    /// The next `size` entries after `after` in id order; past the last one, from the start.
    public static func batch(_ entries: Set<Int>, after: Int, size: Int) -> [Int] {
        let sorted = entries.sorted()
        let next = sorted.filter { $0 > after }.prefix(size)
        return next.isEmpty ? Array(sorted.prefix(size)) : Array(next)
    }
}
