import Acumatica
import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// A refused release, kept as a link from the document: its content hash is the document's
/// status when it was refused.
enum AcumaticaAsanaRefusal {
    /// The link's target type.
    static let type = "release_refusal"

    /// The link's target for the task the refusal was reported on.
    static func ref(task: String) -> ExternalRef { ExternalRef(system: .asana, type: type, id: task) }
}

extension AcumaticaAsanaSession {
    /// Carries out one approval on a document's task: `ReleaseBill` (after `Approve` when the
    /// bill is still pending approval) or the order's `Approve`, each waiting out its 202. The
    /// outcome goes on the task's status field and in a comment. A refusal is quoted, the status
    /// says "release failed" and the task is reopened; it is not tried again until someone
    /// approves again (`refused` says so). GL accounts and the chart of accounts are never written.
    func approve(_ document: ApprovalDocument, task: AsanaTask, stamp: String, vendor: String, option: String?, taskLink: Link) async throws
        -> (writes: [StoreWrite], action: String, refused: Bool) {
        let step = AcumaticaAsanaMapping.step(for: document)
        let ref = document.ref
        let key = AcumaticaAsanaIntentKey.approval(ref, stamp: stamp)
        // Already released: by someone else (nothing to say), or by an attempt of ours that did not
        // complete (its outcome is still to be reported).
        if case .none(let reason) = step, try await !context.intents.peek(key).needsLookUp { return ([], "approval needs nothing: \(reason)", false) }
        var refusal: String?
        var uncertain = false
        // Recorded before the call; an attempt after an uncertain one reads the document first.
        let confirmed = try await context.intents.sideEffect(key, happened: {
            uncertain = true
            return try await read(ref).map { AcumaticaAsanaMapping.stage(of: $0) != .open } ?? true
        }, perform: {
            do {
                try await perform(step, on: document)
            } catch let ConnectorError.validation(_, message) {
                // The earlier attempt's action may still be running (the document stays as it was
                // until it lands) and Acumatica refuses a second one: that is not a refusal of the
                // approval. Wait for it as the client waits on a 202.
                if uncertain, let now = try await movedOn(ref, from: document.status) {
                    guard now == .open else { return }
                    throw ConnectorError.transient("an earlier attempt's \(step) of \(ref) landed while this one waited; the next attempt goes on from there")
                }
                // Acumatica refused (on hold, not balanced…): a business answer, not a failure to retry.
                refusal = message
            }
        })
        var writes = [confirmed]
        let fields = config.asana.fields
        if let refusal {
            let text = AcumaticaAsanaMapping.refusalComment(for: document, reason: refusal)
            writes.append(try await AsanaScope.comment(task: task.gid, key: AcumaticaAsanaIntentKey.outcomeComment(ref, stamp: stamp), text: text, asana: asana, intents: context.intents))
            var values: [String: CustomFieldInput] = [fields.status: .text(AcumaticaAsanaMapping.releaseFailedStatus)]
            if let field = config.asana.approval?.field { values[field] = .clear }
            _ = try await asana.updateTask(gid: task.gid, TaskDraft(completed: false, customFields: values))
            // The status the document was refused in: the task says "release failed" while it stays so.
            let refused = AcumaticaAsanaRefusal.ref(task: task.gid)
            writes.append(newLink(ref, refused, hash: document.status, previous: try await link(from: ref, type: AcumaticaAsanaRefusal.type)))
            let digest = AcumaticaAsanaMapping.contentHash(DocumentDigest(document: document, vendorName: vendor, vendorOption: option, status: AcumaticaAsanaMapping.releaseFailedStatus))
            writes.append(newLink(ref, taskLink.target, hash: digest, previous: taskLink))
            return (writes, "\(document.kind == .bill ? "release" : "approval") refused: \(refusal)", true)
        }
        guard let after = try await read(ref) else { return (writes, "document deleted while it was approved", false) }
        writes.append(try await AsanaScope.comment(task: task.gid, key: AcumaticaAsanaIntentKey.outcomeComment(ref, stamp: stamp), text: AcumaticaAsanaMapping.doneComment(for: after),
                                                    asana: asana, intents: context.intents))
        _ = try await asana.updateTask(gid: task.gid, TaskDraft(customFields: [fields.status: .text(after.status)]))
        // Only the status moved: the task now shows this version of the document.
        let digest = AcumaticaAsanaMapping.contentHash(DocumentDigest(document: after, vendorName: vendor, vendorOption: option, status: after.status))
        writes.append(newLink(ref, taskLink.target, hash: digest, previous: taskLink))
        return (writes, "\(document.kind == .bill ? "released" : "approved") in Acumatica: now \(after.status)", false)
    }

    /// The stage of the document once its status moves on from `status`, read at the client's
    /// action poll interval for at most its action timeout; nil when it stayed (a deleted
    /// document has moved on, as voided).
    private func movedOn(_ ref: ExternalRef, from status: String) async throws -> AcumaticaAsanaMapping.Stage? {
        let started = ContinuousClock.now
        while true {
            guard let now = try await read(ref) else { return .voided }
            if now.status != status { return AcumaticaAsanaMapping.stage(of: now) }
            guard ContinuousClock.now - started < acumatica.actionTimeout else { return nil }
            try await Task.sleep(for: acumatica.actionPollInterval)
        }
    }

    /// The Acumatica actions of a step.
    private func perform(_ step: AcumaticaAsanaMapping.ApprovalStep, on document: ApprovalDocument) async throws {
        switch step {
        case .release: _ = try await acumatica.releaseBill(type: document.type, referenceNbr: document.number)
        case .approveAndRelease:
            _ = try await acumatica.approveBill(type: document.type, referenceNbr: document.number)
            _ = try await acumatica.releaseBill(type: document.type, referenceNbr: document.number)
        case .approve: _ = try await acumatica.approvePurchaseOrder(type: document.type, orderNbr: document.number)
        case .none: break
        }
    }
}
