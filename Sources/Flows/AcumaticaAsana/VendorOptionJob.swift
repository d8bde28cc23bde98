import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// Makes one option of the vendor enum field, one job at a time per option name (so two documents of
/// a new vendor never make two options), then reconciles every document waiting for it.
public struct AcumaticaAsanaVendorOptionJob: JobHandler {
    /// The job kind.
    public static let kind = "acumatica-asana.vendor-option"
    public var kind: String { Self.kind }
    let pipeline: HTTPPipeline

    /// The field and the option's name.
    public struct Payload: Codable, Sendable {
        public var field: String
        public var name: String
    }

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The job, under the serialization key of the field's option of that name.
    static func request(integration: IntegrationRecord, field: String, name: String, now: Date) throws -> JobRequest {
        try JobRequest(kind: kind, tenant: integration.tenant, integrationID: integration.id, connectionID: integration.connections["asana"],
                       coalesceKey: SerializationKey.aggregate(integrationID: integration.id, root: waitingList(field: field, name: name)),
                       payload: Payload(field: field, name: name), runAt: now, source: .manual)
    }

    /// The option a document waits for, as the target of its waiting link.
    static func waitingList(field: String, name: String) -> ExternalRef {
        ExternalRef(system: .asana, type: "enum_option_request", id: "\(field):\(name.lowercased())")
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
            // The read just made is the look-up an open intent needs: an earlier attempt's option
            // would have been found there, so the intent's look-up does not read the field again.
            let (_, confirm) = try await context.intents.create(AcumaticaAsanaIntentKey.vendorOption(field: payload.field, name: payload.name),
                                                                target: { .asana(.customField, $0.gid) }, lookUp: { nil },
                                                                make: { try await asana.createEnumOption(field: payload.field, name: payload.name) })
            writes.append(confirm)
            action = "create vendor option \"\(payload.name)\""
        }
        // Every document that asked meanwhile is reconciled again, now that the option exists.
        let list = Self.waitingList(field: payload.field, name: payload.name)
        let waiting = try await context.store.links(integrationID: integration.id, target: list).map(\.source)
        for document in waiting {
            writes.append(.enqueue(try AcumaticaAsanaDocumentJob.request(integration: integration, document: document, taskEvent: nil, trigger: .manual, now: context.now)))
            writes.append(.removeLink(integrationID: integration.id, source: document, target: list))
        }
        return JobOutcome(writes: writes, sourceRef: list.description, targetRef: ExternalRef.asana(.customField, payload.field).description,
                          action: action + "; \(waiting.count) document(s) reconciled")
    }
}
