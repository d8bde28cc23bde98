import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// Makes one option of the vendor enum field, one job at a time per option name (so two documents of
/// a new vendor never make two options), then reconciles the document that needed it.
public struct AcumaticaAsanaVendorOptionJob: JobHandler {
    /// The job kind.
    public static let kind = "acumatica-asana.vendor-option"
    public var kind: String { Self.kind }
    let pipeline: HTTPPipeline

    /// The field, the option's name and the document waiting for it.
    public struct Payload: Codable, Sendable {
        public var field: String
        public var name: String
        public var document: ExternalRef
        /// The document's ref, read by the audit trail.
        public var sourceRef: String? { document.description }
    }

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The job, under the serialization key of the field's option of that name.
    static func request(integration: IntegrationRecord, field: String, name: String, document: ExternalRef, now: Date) throws -> JobRequest {
        try JobRequest(kind: kind, tenant: integration.tenant, integrationID: integration.id, connectionID: integration.connections["asana"],
                       coalesceKey: SerializationKey.aggregate(integrationID: integration.id, root: .asana(.customField, field)) + ":\(name.lowercased())",
                       payload: Payload(field: field, name: name, document: document), runAt: now, source: .manual)
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        guard let integrationID = job.integrationID, let integration = try await context.store.integration(id: integrationID) else {
            throw ConnectorError.permanent("integration \(job.integrationID ?? "?") no longer exists")
        }
        guard let asanaID = integration.connections["asana"] else { throw ConnectorError.permanent("integration \(integration.id) lacks an asana connection") }
        let asana = AsanaClient(pipeline: pipeline, connection: try await context.requireConnection(asanaID))
        let find: @Sendable () async throws -> EnumOption? = {
            try await asana.customField(gid: payload.field).enum_options?.first { $0.enabled != false && $0.name.lowercased() == payload.name.lowercased() }
        }
        var writes: [StoreWrite] = []
        var action = "vendor option \"\(payload.name)\" already there"
        if try await find() == nil {
            let (_, confirm) = try await context.intents.create(AcumaticaAsanaIntentKey.vendorOption(field: payload.field, name: payload.name),
                                                                target: { .asana(.customField, $0.gid) }, lookUp: find,
                                                                make: { try await asana.createEnumOption(field: payload.field, name: payload.name) })
            writes.append(confirm)
            action = "create vendor option \"\(payload.name)\""
        }
        writes.append(.enqueue(try AcumaticaAsanaDocumentJob.request(integration: integration, document: payload.document, taskEvent: nil, trigger: .manual, now: context.now)))
        return JobOutcome(writes: writes, sourceRef: payload.document.description, targetRef: ExternalRef.asana(.customField, payload.field).description, action: action)
    }
}
