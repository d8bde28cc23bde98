import Acumatica
import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// Routes one changed record of the Acumatica ↔ Asana integration to the job that owns its
/// aggregate: a bill's or order's change and its task's change both go to that document's
/// reconciliation (one at a time per document); an employee's change to the team's roster.
public struct AcumaticaAsanaChangeJob: JobHandler {
    public let kind = TriggerRouter.changeKind(forIntegrationKind: AcumaticaAsanaConfig.kind)

    /// Creates the handler.
    public init() {}

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(TriggerRouter.ChangePayload.self)
        guard let integrationID = job.integrationID, let integration = try await context.store.integration(id: integrationID) else {
            throw ConnectorError.permanent("integration \(job.integrationID ?? "?") no longer exists")
        }
        let config = try AcumaticaAsanaIntegration().configuration(of: integration)
        let ref = payload.event.ref
        let document: ExternalRef?
        switch (ref.system, ref.type) {
        case (.acumatica, AcumaticaRecord.bill.rawValue) where config.documentKinds.contains("bills"): document = ref
        case (.acumatica, AcumaticaRecord.purchaseOrder.rawValue) where config.documentKinds.contains("purchase_orders"): document = ref
        case (.acumatica, AcumaticaRecord.employee.rawValue):
            guard let team = config.asana.team, config.roster != nil else { return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: no roster kept") }
            let request = try AcumaticaAsanaRosterJob.request(integration: integration, team: team, trigger: payload.trigger, now: context.now)
            return JobOutcome(writes: [.enqueue(request)], sourceRef: ref.description, targetRef: ExternalRef.asana(.team, team).description, action: "reconcile the team roster")
        case (.asana, AsanaRecord.task.rawValue):
            // Only tasks this integration made stand for a document.
            document = try await context.store.links(integrationID: integration.id, target: ref).first { $0.source.system == .acumatica }?.source
            guard document != nil else { return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: not an approval task") }
        default:
            return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: \(ref.type) changes do not move anything")
        }
        guard let document else { return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: \(ref.type) not watched") }
        let task = ref.system == .asana ? payload.event : nil
        let request = try AcumaticaAsanaDocumentJob.request(integration: integration, document: document, taskEvent: task, trigger: payload.trigger, now: context.now)
        return JobOutcome(writes: [.enqueue(request)], sourceRef: ref.description, targetRef: document.description, action: "reconcile \(document)")
    }
}

/// Reconciles one document with its approval task, one job at a time per document: the task
/// follows the document, and an approval on the task releases (or approves) the document.
public struct AcumaticaAsanaDocumentJob: JobHandler {
    /// The job kind.
    public static let kind = "acumatica-asana.document"
    public var kind: String { Self.kind }
    let pipeline: HTTPPipeline

    /// Which document, and the task change that asked (its snapshot saves a read).
    public struct Payload: Codable, Sendable {
        public var document: ExternalRef
        public var taskEvent: ChangeEvent?
        /// The document's ref, read by the audit trail.
        public var sourceRef: String? { document.description }
    }

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The one serialization key of everything written for a document: its task, the task's
    /// fields and comments, and the document's release.
    public static func serializationKey(integrationID: String, document: ExternalRef) -> String {
        SerializationKey.aggregate(integrationID: integrationID, root: document)
    }

    /// The job that reconciles `document`.
    static func request(integration: IntegrationRecord, document: ExternalRef, taskEvent: ChangeEvent?, trigger: TriggerSource, now: Date) throws -> JobRequest {
        try JobRequest(kind: kind, tenant: integration.tenant, integrationID: integration.id, connectionID: integration.connections["acumatica"],
                       coalesceKey: serializationKey(integrationID: integration.id, document: document),
                       payload: Payload(document: document, taskEvent: taskEvent), runAt: now, source: trigger)
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        return try await AcumaticaAsanaSession.with(job: job, context: context, pipeline: pipeline) { session in
            try await session.reconcile(document: payload.document, taskEvent: payload.taskEvent)
        }
    }
}

/// Keeps the Asana team matching the active Acumatica employees, one job at a time per team.
public struct AcumaticaAsanaRosterJob: JobHandler {
    /// The job kind.
    public static let kind = "acumatica-asana.roster"
    public var kind: String { Self.kind }
    let pipeline: HTTPPipeline

    /// The team kept.
    public struct Payload: Codable, Sendable {
        public var team: String
    }

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The job that reconciles the roster of `team`, under the team's one serialization key.
    static func request(integration: IntegrationRecord, team: String, trigger: TriggerSource, now: Date) throws -> JobRequest {
        try JobRequest(kind: kind, tenant: integration.tenant, integrationID: integration.id, connectionID: integration.connections["asana"],
                       coalesceKey: SerializationKey.aggregate(integrationID: integration.id, root: .asana(.team, team)), payload: Payload(team: team), runAt: now, source: trigger)
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        return try await AcumaticaAsanaSession.with(job: job, context: context, pipeline: pipeline) { session in
            try await session.reconcileRoster(team: payload.team)
        }
    }
}
