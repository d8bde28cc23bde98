import Acumatica
import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// The idempotency keys of this integration's creates and side effects, spelled once; each is
/// derived from the records involved, never from a job or an attempt.
enum AcumaticaAsanaIntentKey {
    /// The approval task of a document.
    static func task(_ document: ExternalRef) -> String { "asana-approval-task:\(document)" }
    /// The vendor option of the vendor enum field.
    static func vendorOption(field: String, name: String) -> String { "asana-enum-option:\(field):\(name.lowercased())" }
    /// Releasing (or approving) a document for one approval on its task.
    static func approval(_ document: ExternalRef, stamp: String) -> String { "acumatica-approval:\(document):\(stamp)" }
    /// The comment reporting that approval's outcome.
    static func outcomeComment(_ document: ExternalRef, stamp: String) -> String { "asana-comment:approval:\(document):\(stamp)" }
}

/// One job's view of the Acumatica ↔ Asana integration: its configuration, both clients (the
/// Acumatica one signed in for this job only) and the store's links.
struct AcumaticaAsanaSession {
    let integration: IntegrationRecord
    let config: AcumaticaAsanaConfig
    let context: JobContext
    let acumatica: AcumaticaClient
    let asana: AsanaClient

    /// Runs `body` with a session whose Acumatica seat is given back when it is done. A
    /// connection pinned to another endpoint version than the configuration stops the
    /// integration (paused) with an error naming both.
    static func with(job: JobRecord, context: JobContext, pipeline: HTTPPipeline, _ body: (AcumaticaAsanaSession) async throws -> JobOutcome) async throws -> JobOutcome {
        guard let integrationID = job.integrationID, let integration = try await context.store.integration(id: integrationID) else {
            throw ConnectorError.permanent("integration \(job.integrationID ?? "?") no longer exists")
        }
        let config = try AcumaticaAsanaIntegration().configuration(of: integration)
        guard let acumaticaID = integration.connections["acumatica"], let asanaID = integration.connections["asana"] else {
            throw ConnectorError.permanent("integration \(integration.id) lacks an acumatica or asana connection")
        }
        let acumaticaConnection = try await context.requireConnection(acumaticaID)
        let asana = AsanaClient(pipeline: pipeline, connection: try await context.requireConnection(asanaID))
        let pinned = AcumaticaClient(pipeline: pipeline, connection: acumaticaConnection).endpoint.version
        if pinned != config.acumatica.endpoint_version {
            try await stop(integration, context: context, because: AcumaticaAsanaIntegration.versionMismatch(configured: config.acumatica.endpoint_version, found: pinned,
                                                                                                              where: "connection \(acumaticaID)"))
        }
        return try await AcumaticaClient.withSession(pipeline: pipeline, connection: acumaticaConnection) { client in
            try await body(AcumaticaAsanaSession(integration: integration, config: config, context: context, acumatica: client, asana: asana))
        }
    }

    /// Pauses the integration and fails the job for good with `message`.
    static func stop(_ integration: IntegrationRecord, context: JobContext, because message: String) async throws -> Never {
        try await context.store.setIntegrationState(id: integration.id, state: .paused)
        throw ConnectorError.permanent(message + "; integration \(integration.id) is paused until it is applied again")
    }

    /// The link from `source` to a record of `type`.
    func link(from source: ExternalRef, type: String) async throws -> Link? {
        try await context.store.links(integrationID: integration.id, source: source).first { $0.target.type == type }
    }

    /// A link write, keeping its first creation time.
    func newLink(_ source: ExternalRef, _ target: ExternalRef, hash: String, previous: Link?) -> StoreWrite {
        .upsertLink(Link(integrationID: integration.id, source: source, target: target, contentHash: hash, createdAt: previous?.createdAt ?? context.now, updatedAt: context.now))
    }

    /// The document as Acumatica holds it now; nil when it was deleted. A 404 is only a
    /// deletion when the instance still runs our endpoint version: an upgraded instance answers
    /// 404 for every path, and that stops the integration instead of marking every task.
    func read(_ ref: ExternalRef) async throws -> ApprovalDocument? {
        let keys = ref.id.split(separator: "/", maxSplits: 1).map(String.init)
        guard keys.count == 2, !keys[0].isEmpty, !keys[1].isEmpty else { throw ConnectorError.permanent("\(ref) does not name a document as Type/Number") }
        do {
            switch ref.type {
            case AcumaticaRecord.bill.rawValue: return try ApprovalDocument(bill: try await acumatica.bill(type: keys[0], referenceNbr: keys[1]))
            case AcumaticaRecord.purchaseOrder.rawValue: return try ApprovalDocument(order: try await acumatica.purchaseOrder(type: keys[0], orderNbr: keys[1]))
            default: throw ConnectorError.permanent("\(ref) is not a bill or purchase order")
            }
        } catch ConnectorError.notFound {
            let offered = try await acumatica.endpoints().endpoints.filter { $0.name == acumatica.endpoint.name }.map(\.version)
            guard offered.contains(config.acumatica.endpoint_version) else {
                try await Self.stop(integration, context: context, because: AcumaticaAsanaIntegration.versionMismatch(
                    configured: config.acumatica.endpoint_version, found: offered.joined(separator: ", "), where: "the instance"))
            }
            return nil
        }
    }

    /// The task as its change event carried it when that read is current, else read from Asana.
    func currentTask(gid: String, event: ChangeEvent?) async throws -> AsanaTask {
        if let listed = event?.record(as: AsanaTask.self, currentAt: context.now), listed.gid == gid { return listed }
        return try await asana.task(gid: gid)
    }
}
