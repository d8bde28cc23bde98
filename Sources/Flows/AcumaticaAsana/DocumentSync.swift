import Acumatica
import Asana
import ConnectorKit
import Engine
import Foundation
import Store

/// What a document's task was last written from: the link's content hash is its digest, so an
/// unchanged document (or our own write coming back) writes nothing.
struct DocumentDigest: Encodable {
    var document: ApprovalDocument
    var vendorName: String
    var vendorOption: String?
    /// The status text written (the document's, or "release failed").
    var status: String
}

extension ApprovalDocument: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(kind.rawValue)
        for text in [type, number, vendorID, vendorRef ?? "", amount.map(Money.string) ?? "", currency, dueDate ?? "", status, hold ? "hold" : "", project ?? "", branch ?? "", description ?? ""] {
            try container.encode(text)
        }
    }
}

extension AcumaticaAsanaSession {
    /// Reconciles a document with its task: the task follows the document (created once,
    /// updated when the document changed, marked and completed when it was voided or deleted),
    /// then an approval on the task releases or approves the document.
    func reconcile(document ref: ExternalRef, taskEvent: ChangeEvent?) async throws -> JobOutcome {
        let taskLink = try await link(from: ref, type: AsanaRecord.task.rawValue)
        guard let document = try await read(ref) else {
            guard let taskLink else { return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: deleted before it had a task") }
            let draft = AcumaticaAsanaMapping.deletedDraft(fields: config.asana.fields)
            let hash = AcumaticaAsanaMapping.contentHash(draft)
            guard taskLink.contentHash != hash else { return JobOutcome(sourceRef: ref.description, targetRef: taskLink.target.description, unchanged: true, action: "deleted, task already marked") }
            _ = try await asana.updateTask(gid: taskLink.target.id, draft)
            return JobOutcome(writes: [newLink(ref, taskLink.target, hash: hash, previous: taskLink)], sourceRef: ref.description, targetRef: taskLink.target.description,
                              action: "mark the task: document deleted in Acumatica")
        }
        guard let taskLink else { return try await createTask(for: document) }

        var writes: [StoreWrite] = []
        var actions: [String] = []
        // 1. The task follows the document.
        let vendor = try await vendorName(document.vendorID)
        let option = try await existingVendorOption(named: vendor)
        if option == nil { return try requestVendorOption(named: vendor, for: document) }
        let refusal = try await link(from: ref, type: AcumaticaAsanaRefusal.type)
        let statusText = AcumaticaAsanaMapping.statusText(of: document, refusedAt: refusal?.contentHash)
        let digest = AcumaticaAsanaMapping.contentHash(DocumentDigest(document: document, vendorName: vendor, vendorOption: option, status: statusText))
        if taskLink.contentHash != digest {
            let draft = AcumaticaAsanaMapping.taskDraft(for: document, vendorName: vendor, vendorOption: option, fields: config.asana.fields, instanceURL: instanceURL,
                                                        refusedAt: refusal?.contentHash)
            _ = try await asana.updateTask(gid: taskLink.target.id, draft)
            writes.append(newLink(ref, taskLink.target, hash: digest, previous: taskLink))
            // Once the document moved on from the refused state, the refusal no longer speaks for it.
            if let refusal, statusText != AcumaticaAsanaMapping.releaseFailedStatus { writes.append(.removeLink(integrationID: integration.id, source: ref, target: refusal.target)) }
            actions.append(AcumaticaAsanaMapping.stage(of: document) == .voided ? "mark the task: \(document.status)" : "update the task")
        }
        // 2. An approval on the task moves the document.
        let task = try await currentTask(gid: taskLink.target.id, event: taskEvent?.ref == taskLink.target ? taskEvent : nil)
        if let outcome = try await approveIfAsked(document, task: task, vendor: vendor, option: option, taskLink: taskLink) {
            writes += outcome.writes
            actions.append(outcome.action)
        }
        return JobOutcome(writes: writes, sourceRef: ref.description, targetRef: taskLink.target.description, unchanged: writes.isEmpty,
                          action: actions.isEmpty ? "task unchanged" : actions.joined(separator: "; "))
    }

    /// Creates a document's task in its routed project, once: the intent is recorded first and
    /// the task is looked up by its Acumatica link before any create.
    func createTask(for document: ApprovalDocument) async throws -> JobOutcome {
        let ref = document.ref
        guard AcumaticaAsanaMapping.stage(of: document) == .open else {
            return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: already \(document.status) before it had a task")
        }
        guard let project = AcumaticaAsanaMapping.project(for: document, routing: config.asana.routing) else {
            return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: no Asana project for its project, branch or a default")
        }
        let vendor = try await vendorName(document.vendorID)
        guard let option = try await existingVendorOption(named: vendor) else { return try requestVendorOption(named: vendor, for: document) }
        var draft = AcumaticaAsanaMapping.taskDraft(for: document, vendorName: vendor, vendorOption: option, fields: config.asana.fields, instanceURL: instanceURL)
        draft.projects = [project.gid]
        let key = AcumaticaAsanaMapping.link(for: document, instanceURL: instanceURL)
        let field = config.asana.fields.link
        // An earlier attempt may have routed the document elsewhere (its project or branch changed
        // since): every routed project is searched, the one it routes to now first.
        let searched = [project.gid] + config.routedProjects.filter { $0 != project.gid }
        let (task, confirm) = try await context.intents.create(AcumaticaAsanaIntentKey.task(ref), target: { .asana(.task, $0.gid) },
            lookUp: { try await asana.findTask(key: key, keyField: field, projects: searched) },
            make: { try await asana.createTask(draft, key: key, keyField: field, previousAttemptUncertain: false) })
        let digest = AcumaticaAsanaMapping.contentHash(DocumentDigest(document: document, vendorName: vendor, vendorOption: option, status: document.status))
        let taskLink = Link(integrationID: integration.id, source: ref, target: .asana(.task, task.gid), contentHash: digest, createdAt: context.now, updatedAt: context.now)
        var writes = [confirm, StoreWrite.upsertLink(taskLink)]
        var action = "create the approval task in project \(project.gid) (\(project.rule))"
        // A task an earlier attempt made may have been approved before its link was recorded
        // (its change found no link then): the approval is taken now.
        if let outcome = try await approveIfAsked(document, task: task, vendor: vendor, option: option, taskLink: taskLink) {
            writes += outcome.writes
            action += "; " + outcome.action
        }
        return JobOutcome(writes: writes, sourceRef: ref.description, targetRef: ExternalRef.asana(.task, task.gid).description, action: action)
    }

    /// Carries out the approval `task` carries, once per approval (the task's link back to the
    /// document keeps the last one handled); nil when there is none to handle.
    func approveIfAsked(_ document: ApprovalDocument, task: AsanaTask, vendor: String, option: String?, taskLink: Link) async throws -> (writes: [StoreWrite], action: String)? {
        let handled = try await link(from: taskLink.target, type: document.ref.type)
        guard let stamp = AcumaticaAsanaMapping.approval(on: task, config: config, handled: handled?.contentHash, handledAt: handled?.updatedAt),
              handled?.contentHash != stamp else { return nil }
        let outcome = try await approve(document, task: task, stamp: stamp, vendor: vendor, option: option, taskLink: taskLink)
        let mark = AcumaticaAsanaMapping.handledMark(stamp: stamp, refused: outcome.refused)
        return (outcome.writes + [newLink(taskLink.target, document.ref, hash: mark, previous: handled)], outcome.action)
    }

    /// The vendor's name, its id when Acumatica no longer has it.
    func vendorName(_ id: String) async throws -> String {
        do {
            return ApprovalDocument.bounded(try await acumatica.vendor(id: id).VendorName?.value) ?? id
        } catch ConnectorError.notFound {
            return id
        }
    }

    /// The enabled option of the vendor field named `name` (case-insensitive), if there is one.
    func existingVendorOption(named name: String) async throws -> String? {
        try await asana.customField(gid: config.asana.fields.vendor).enum_options?.first { $0.enabled != false && $0.name.lowercased() == name.lowercased() }?.gid
    }

    /// Hands the option's creation to the one job that makes the field's options of that name
    /// (two documents of one new vendor never make two options), and puts the document on that
    /// option's waiting list: a link the option job reads to reconcile each waiting document.
    func requestVendorOption(named name: String, for document: ApprovalDocument) throws -> JobOutcome {
        let field = config.asana.fields.vendor
        let request = try AcumaticaAsanaVendorOptionJob.request(integration: integration, field: field, name: name, now: context.now)
        let waiting = newLink(document.ref, AcumaticaAsanaVendorOptionJob.waitingList(field: field, name: name), hash: "waiting", previous: nil)
        return JobOutcome(writes: [waiting, .enqueue(request)], sourceRef: document.ref.description, action: "make the vendor option \"\(name)\" first")
    }

    /// The instance's root, for links to its screens.
    var instanceURL: String { acumatica.connection.baseURLs["api"] ?? "" }
}
