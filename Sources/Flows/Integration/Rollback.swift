import ConnectorKit
import Engine
import Foundation
import Store

/// `rollback <audit-or-job-id>` for any integration kind that has a rollback handler: the
/// change a job (or an audit entry's job) handled is undone by a job of kind
/// `<kind>.rollback`, so it is leased, retried, audited and replayable like any other. It
/// carries the record's change key, so it runs after (never beside) a change job of that record.
public enum Rollback {
    /// The job kind that undoes an integration kind's work.
    public static func kind(forIntegrationKind kind: String) -> String { "\(kind).rollback" }

    /// What a rollback job undoes: everything the integration made from `source`.
    public struct Payload: Codable, Sendable, Equatable {
        /// The record whose effects are undone (`freshbooks:invoice:42`).
        public var source: ExternalRef
        /// The job whose work is undone.
        public var job: String
        /// The audit trail's source ref.
        public var sourceRef: String? { source.description }

        /// Describes a rollback.
        public init(source: ExternalRef, job: String) {
            self.source = source
            self.job = job
        }
    }

    /// The rollback job for a job id or an audit entry id; errors say what was not found.
    public static func request(for id: String, store: any Store, registry: IntegrationRegistry = IntegrationRegistry(), pipeline: HTTPPipeline, now: Date = Date()) async throws -> JobRequest {
        var job = try await store.job(id: id)
        if job == nil, let auditID = Int64(id) {
            guard let entry = try await store.auditEntries(AuditFilter(id: auditID, limit: 1)).first else {
                throw ConnectorError.validation(field: "id", message: "'\(id)' is neither a job id nor an audit entry id (ml-connector audit lists the ones still kept)")
            }
            guard let jobID = entry.jobID, let found = try await store.job(id: jobID) else {
                throw ConnectorError.validation(field: "id", message: "audit entry \(id) (\(entry.action)) belongs to no job that is still kept")
            }
            job = found
        }
        guard let job else { throw ConnectorError.validation(field: "id", message: "'\(id)' is neither a job id nor an audit entry id") }
        guard let integrationID = job.integrationID, let integration = try await store.integration(id: integrationID) else {
            throw ConnectorError.validation(field: "id", message: "job \(job.id) (\(job.kind)) belongs to no integration; only an integration's changes can be rolled back")
        }
        let kind = kind(forIntegrationKind: integration.kind)
        guard registry.handlers(pipeline: pipeline).contains(where: { $0.kind == kind }) else {
            throw ConnectorError.validation(field: "id", message: "integrations of kind \(integration.kind) have no rollback")
        }
        let source: ExternalRef
        if job.kind == kind {
            source = try job.decodePayload(Payload.self).source
        } else if job.kind == TriggerRouter.changeKind(forIntegrationKind: integration.kind) {
            source = try job.decodePayload(TriggerRouter.ChangePayload.self).event.ref
        } else {
            throw ConnectorError.validation(field: "id", message: "job \(job.id) is a \(job.kind) job; give the id of a change job (ml-connector audit lists them)")
        }
        return try JobRequest(kind: kind, tenant: integration.tenant, integrationID: integration.id, connectionID: job.connectionID,
                              coalesceKey: TriggerRouter.coalesceKey(integrationID: integration.id, ref: source),
                              payload: Payload(source: source, job: job.id), runAt: now, maxAttempts: 8, source: .manual)
    }
}
