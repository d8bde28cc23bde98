import Asana
import ConnectorKit
import Engine
import Foundation
import QuickBooks
import Store

/// Routes one changed record of the QuickBooks ↔ Asana integration: a name-list record
/// (vendor, customer, class, department) is mirrored as an enum option here; a task or a bill
/// hands its aggregate to the one posting job of its task.
public struct QuickBooksAsanaChangeJob: JobHandler {
    public let kind = TriggerRouter.changeKind(forIntegrationKind: QuickBooksAsanaConfig.kind)
    let pipeline: HTTPPipeline

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(TriggerRouter.ChangePayload.self)
        let session = try await QuickBooksAsanaSession(job: job, context: context, pipeline: pipeline)
        let ref = payload.event.ref
        switch (ref.system, QuickBooksRecord(rawValue: ref.type)) {
        case (.quickbooks, .vendor?), (.quickbooks, .customer?), (.quickbooks, .class?), (.quickbooks, .department?):
            return try await session.syncName(ref, deleted: payload.event.action == .deleted, trigger: payload.trigger)
        case (.quickbooks, .bill?), (.quickbooks, .journalentry?):
            // The bill's figures go back to its task: the task's posting job does it.
            let tasks = try await context.store.links(integrationID: session.integration.id, target: ref).map(\.source).filter { $0.system == .asana && $0.type == AsanaRecord.task.rawValue }
            let writes = try tasks.map { StoreWrite.enqueue(try session.postingJob(task: $0.id, event: nil, trigger: payload.trigger)) }
            return JobOutcome(writes: writes, sourceRef: ref.description, targetRef: tasks.first?.description, unchanged: writes.isEmpty,
                              action: writes.isEmpty ? "ignored: not a transaction of this integration" : "reconcile its task's posting")
        default:
            break
        }
        if ref.system == .asana && ref.type == AsanaRecord.task.rawValue {
            // A replayed change hands on no snapshot: the task may have changed since.
            let posting = try session.postingJob(task: ref.id, event: job.source == .replay || job.replayOf != nil ? nil : payload.event, trigger: payload.trigger)
            return JobOutcome(writes: [.enqueue(posting)], sourceRef: ref.description, targetRef: ref.description, action: "reconcile the task's posting")
        }
        return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: \(ref.type) changes do not move anything")
    }
}

/// Posts one Asana task's cost to QuickBooks and brings its transaction's figures back; every
/// write of the aggregate (the task, its bill or journal entry) is made by this job, one at a
/// time per task.
public struct QuickBooksAsanaPostingJob: JobHandler {
    /// The job kind.
    public static let kind = "quickbooks-asana.posting"
    public var kind: String { Self.kind }
    let pipeline: HTTPPipeline

    /// The task, and the change event that carried it (nil after a QuickBooks change).
    public struct Payload: Codable, Sendable {
        public var task: String
        public var event: ChangeEvent?
        /// The task's ref, read by the audit trail.
        public var sourceRef: String? { ExternalRef.asana(.task, task).description }
    }

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The one serialization key of an Asana task's aggregate: the task and its transaction.
    public static func serializationKey(integrationID: String, task: String) -> String {
        SerializationKey.aggregate(integrationID: integrationID, root: .asana(.task, task))
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        // A replay carries the snapshot of its original change, older than the task may be now: it reads the task.
        let event = job.source == .replay || job.replayOf != nil ? nil : payload.event
        return try await QuickBooksAsanaSession(job: job, context: context, pipeline: pipeline).post(task: payload.task, event: event)
    }
}

/// One job's view of the integration: its configuration, both clients, and the store's links.
struct QuickBooksAsanaSession {
    let integration: IntegrationRecord
    let config: QuickBooksAsanaConfig
    let context: JobContext
    let quickbooks: QuickBooksClient
    let asana: AsanaClient
    let currency: CurrencyCode

    init(job: JobRecord, context: JobContext, pipeline: HTTPPipeline) async throws {
        guard let integrationID = job.integrationID, let integration = try await context.store.integration(id: integrationID) else {
            throw ConnectorError.permanent("integration \(job.integrationID ?? "?") no longer exists")
        }
        try await self.init(integration: integration, context: context, pipeline: pipeline)
    }

    init(integration: IntegrationRecord, context: JobContext, pipeline: HTTPPipeline) async throws {
        self.integration = integration
        self.context = context
        config = try QuickBooksAsanaIntegration().configuration(of: integration)
        guard let qboID = integration.connections["quickbooks"], let asanaID = integration.connections["asana"] else {
            throw ConnectorError.permanent("integration \(integration.id) lacks a quickbooks or asana connection")
        }
        quickbooks = QuickBooksClient(pipeline: pipeline, connection: try await context.requireConnection(qboID))
        asana = AsanaClient(pipeline: pipeline, connection: try await context.requireConnection(asanaID))
        currency = try config.currency()
    }

    /// The posting job of a task, under its aggregate's key.
    func postingJob(task: String, event: ChangeEvent?, trigger: TriggerSource) throws -> JobRequest {
        try JobRequest(kind: QuickBooksAsanaPostingJob.kind, tenant: integration.tenant, integrationID: integration.id, connectionID: asana.connection.id,
                       coalesceKey: QuickBooksAsanaPostingJob.serializationKey(integrationID: integration.id, task: task),
                       payload: QuickBooksAsanaPostingJob.Payload(task: task, event: event), runAt: context.now, source: trigger)
    }

    func link(from source: ExternalRef, type: String) async throws -> Link? {
        try await context.store.links(integrationID: integration.id, source: source).first { $0.target.type == type }
    }

    func newLink(_ source: ExternalRef, _ target: ExternalRef, hash: String, previous: Link?) -> StoreWrite {
        .upsertLink(Link(integrationID: integration.id, source: source, target: target, contentHash: hash, createdAt: previous?.createdAt ?? context.now, updatedAt: context.now))
    }

    /// The task as its change event carried it when that read is current, else read from Asana.
    func currentTask(gid: String, event: ChangeEvent?) async throws -> AsanaTask {
        if let listed = event?.record(as: AsanaTask.self, currentAt: context.now), listed.gid == gid { return listed }
        return try await asana.task(gid: gid)
    }
}

/// The idempotency keys of this integration's creates and side effects, spelled once, each
/// derived from the records involved, never from a job or an attempt.
enum QuickBooksAsanaIntentKey {
    /// The enum option mirroring a QuickBooks name-list record.
    static func option(_ record: ExternalRef) -> String { "asana-option:\(record)" }
    /// The bill or journal entry posted for a task (also its QuickBooks `requestid`).
    static func posting(_ task: ExternalRef) -> String { "quickbooks-posting:\(task)" }
    /// A comment on a task about a record, for one change of it.
    static func comment(task: ExternalRef, about record: ExternalRef, hash: String) -> String { "asana-comment:\(task):\(record):\(hash)" }
}

extension QuickBooksAsanaSession {
    /// Posts `text` on a task at most once for `key`; after an uncertain attempt the task's
    /// stories are read before posting again.
    func comment(task gid: String, key: String, text: String) async throws -> StoreWrite {
        try await AsanaScope.comment(task: gid, key: key, text: text, asana: asana, intents: context.intents)
    }
}
