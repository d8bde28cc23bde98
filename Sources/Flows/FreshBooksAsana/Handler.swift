import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

/// Runs the FreshBooks ↔ Asana integration for one changed record: fetch the current record,
/// map it, compare with the link's content hash, write only what changed, and hand back the
/// links and audit for the transaction that completes the job (DESIGN "The path of one change").
public struct FreshBooksAsanaChangeJob: JobHandler {
    public let kind = TriggerRouter.changeKind(forIntegrationKind: FreshBooksAsanaConfig.kind)
    let pipeline: HTTPPipeline

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(TriggerRouter.ChangePayload.self)
        // A paused integration's jobs are held by the queue, never claimed, so none arrives here
        // to be dropped; one claimed just before the pause finishes its work.
        let session = try await FreshBooksAsanaSession(job: job, context: context, pipeline: pipeline)
        let ref = payload.event.ref
        switch (ref.system, ref.type) {
        case (.asana, "project"): return try session.reconcileBilling(projectGID: ref.id, task: nil, trigger: payload.trigger, resync: payload.event.standsForResync)
        case (.asana, "task"): return try await session.syncTask(gid: ref.id, trigger: payload.trigger, event: payload.event)
        case (.freshbooks, "invoice"): return try await session.syncInvoiceStatus(invoiceID: try Self.number(ref))
        case (.freshbooks, "payment"): return try await session.syncInvoiceStatus(invoiceID: try await session.freshbooks.payment(id: try Self.number(ref)).invoiceID, via: ref)
        default: return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: \(ref.type) changes do not move anything")
        }
    }

    static func number(_ ref: ExternalRef) throws -> Int {
        guard let id = Int(ref.id) else { throw ConnectorError.permanent("\(ref) does not carry a FreshBooks numeric id") }
        return id
    }
}

/// Reconciles one Asana project's billing; enqueued by task changes, one at a time per project.
public struct FreshBooksAsanaBillingJob: JobHandler {
    /// The job kind.
    public static let kind = "freshbooks-asana.billing"
    /// Seconds a reconciliation waits after a change that arrived on its own (a webhook, a
    /// replay), so that a burst of them (a person completing tasks one by one) folds into it.
    static let settle: TimeInterval = 1

    /// When a reconciliation asked for by a change job is due. One asked for by the event that
    /// stands for a poll's re-read of the project's tasks (`ChangeEvent.resyncOf`) has no burst
    /// to wait for, the re-read being whole: it is due when its poll was (`PollJob` dates its
    /// changes so), ahead of polls due later, so under a rate limit a first crawl's writes start
    /// among the other projects' polls, not behind all of them. Any other change (a webhook, a
    /// poll's events, the team's listing) waits `settle`, so that a burst folds into it.
    static func due(after change: JobRecord, resync: Bool, now: Date) -> Date {
        resync ? min(change.runAt, now) : now.addingTimeInterval(settle)
    }
    public var kind: String { Self.kind }
    let pipeline: HTTPPipeline

    /// Which project, and the task whose change asked for it (for the audit trail).
    public struct Payload: Codable, Sendable {
        public var project: String
        public var task: String?
        /// The task's ref, read by the audit trail.
        public var sourceRef: String? { task.map { ExternalRef.asana(.task, $0).description } }
    }

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The one serialization key of everything written for an Asana project: its FreshBooks
    /// client, project, expenses and invoices. Every job that writes them uses it.
    public static func serializationKey(integrationID: String, projectGID: String) -> String {
        SerializationKey.aggregate(integrationID: integrationID, root: .asana(.project, projectGID))
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        return try await FreshBooksAsanaSession(job: job, context: context, pipeline: pipeline).syncBilling(projectGID: payload.project)
    }
}

/// One job's view of the integration: its configuration, both clients, and the store's links.
struct FreshBooksAsanaSession {
    /// The job this session runs.
    let job: JobRecord
    let integration: IntegrationRecord
    let config: FreshBooksAsanaConfig
    let context: JobContext
    let freshbooks: FreshBooksClient
    let asana: AsanaClient
    let currency: CurrencyCode

    /// The session of the integration `job` belongs to.
    init(job: JobRecord, context: JobContext, pipeline: HTTPPipeline) async throws {
        let integration = try await context.integration(of: job)
        self.job = job
        self.integration = integration
        self.context = context
        config = try FreshBooksAsanaIntegration().configuration(of: integration)
        guard let fbID = integration.connections["freshbooks"], let asanaID = integration.connections["asana"] else {
            throw ConnectorError.permanent("integration \(integration.id) lacks a freshbooks or asana connection")
        }
        freshbooks = FreshBooksClient(pipeline: pipeline, connection: try await context.requireConnection(fbID))
        asana = AsanaClient(pipeline: pipeline, connection: try await context.requireConnection(asanaID))
        currency = try CurrencyCode(config.freshbooks.invoice.currency)
    }

    /// The links from one record, read once; pick the one to each kind of FreshBooks record.
    func links(from source: ExternalRef) async throws -> LinksFrom {
        LinksFrom(all: try await context.store.links(integrationID: integration.id, source: source))
    }

    func newLink(_ source: ExternalRef, _ target: ExternalRef, hash: String, previous: Link?) -> StoreWrite {
        .upsertLink(Link(integrationID: integration.id, source: source, target: target, contentHash: hash, createdAt: previous?.createdAt ?? context.now, updatedAt: context.now))
    }

    /// Whether an Asana project is one this integration watches.
    func watches(_ project: Asana.Project) -> Bool {
        (config.asana.projects ?? []).contains(project.gid) || (config.asana.team != nil && project.team?.gid == config.asana.team)
    }
}

/// The links from one Asana record, by the kind of FreshBooks record each reaches.
struct LinksFrom {
    let all: [Link]

    subscript(_ type: FreshBooksRecord) -> Link? { all.first { $0.target.type == type.rawValue } }
}
