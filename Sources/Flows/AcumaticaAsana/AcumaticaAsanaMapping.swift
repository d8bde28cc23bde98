import Acumatica
import Asana
import ConnectorKit
import Foundation

/// The Acumatica ↔ Asana mapping rules as pure functions (no I/O, no clocks), table-tested.
public enum AcumaticaAsanaMapping {
    /// Where a document stands.
    public enum Stage: Equatable, Sendable {
        /// Waiting for approval or release.
        case open
        /// Released (a bill) or approved (an order): nothing left to do.
        case done
        /// Voided or cancelled: its task is marked and completed.
        case voided
    }

    /// The stage of a document by its status (AP301000 / PO301000 statuses).
    public static func stage(of document: ApprovalDocument) -> Stage {
        switch document.status.lowercased() {
        case "voided", "canceled", "cancelled", "rejected": .voided
        case "open", "closed", "completed", "printed", "reserved", "prebooked": .done
        default: .open
        }
    }

    /// The Asana project a document goes in: its Acumatica project's, else its branch's, else
    /// the default; nil when none applies. The second value says which rule chose it.
    public static func project(for document: ApprovalDocument, routing: AcumaticaAsanaConfig.Routing) -> (gid: String, rule: String)? {
        if let project = document.project, let gid = routing.projects?[project] { return (gid, "project \(project)") }
        if let branch = document.branch, let gid = routing.branches?[branch] { return (gid, "branch \(branch)") }
        return routing.default.map { ($0, "default") }
    }

    /// `Bill 000002 · Printico Ltd · 200.00 USD`: vendor, reference number and amount.
    public static func taskName(for document: ApprovalDocument, vendorName: String) -> String {
        let noun = document.kind == .bill ? "Bill" : "PO"
        let amount = document.amount.map { " · \(fixed($0)) \(document.currency)" } ?? ""
        let name = "\(noun) \(document.number) · \(vendorName)\(amount)"
        return stage(of: document) == .voided ? "[\(document.status)] " + name : name
    }

    /// The document's address on its Acumatica screen; the same document always gives the same
    /// text, which is why it is also the key its task is found by.
    public static func link(for document: ApprovalDocument, instanceURL: String) -> String {
        let root = instanceURL.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let encoded: (String) -> String = { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0 }
        switch document.kind {
        case .bill: return "\(root)/Main?ScreenId=AP301000&DocType=\(encoded(billDocType(document.type)))&RefNbr=\(encoded(document.number))"
        case .purchaseOrder: return "\(root)/Main?ScreenId=PO301000&OrderType=\(encoded(orderType(document.type)))&OrderNbr=\(encoded(document.number))"
        }
    }

    /// The task fields of a document (projects are set at creation only). `refusedAt` is the
    /// document's status when Acumatica last refused its release: while it still has that
    /// status, the task keeps saying "release failed".
    public static func taskDraft(for document: ApprovalDocument, vendorName: String, vendorOption: String?, fields: AcumaticaAsanaConfig.Fields, instanceURL: String,
                                 refusedAt: String? = nil) -> TaskDraft {
        var values: [String: CustomFieldInput] = [
            fields.reference: .text(document.number),
            fields.status: .text(statusText(of: document, refusedAt: refusedAt)),
            fields.link: .text(link(for: document, instanceURL: instanceURL)),
            fields.amount: document.amount.map { .number($0) } ?? .clear,
        ]
        if let option = vendorOption { values[fields.vendor] = .enumOption(option) }
        if let due = fields.due_date { values[due] = document.dueDate.map { .date($0) } ?? .clear }
        let noun = document.kind == .bill ? "bill" : "purchase order"
        let notes = ["Acumatica \(noun) \(document.type) \(document.number) from \(vendorName)" + (document.vendorRef.map { " (vendor ref \($0))" } ?? "") + ".",
                     document.description].compactMap { $0 }.joined(separator: "\n")
        var draft = TaskDraft(name: taskName(for: document, vendorName: vendorName), notes: notes, customFields: values)
        if stage(of: document) == .voided { draft.completed = true }
        return draft
    }

    /// The status field's text: "release failed" while the document is as it was refused, else its status.
    public static func statusText(of document: ApprovalDocument, refusedAt: String?) -> String {
        refusedAt == document.status && stage(of: document) == .open ? releaseFailedStatus : document.status
    }

    /// The marks of a document deleted in Acumatica: its status says so and the task is done.
    public static func deletedDraft(fields: AcumaticaAsanaConfig.Fields) -> TaskDraft {
        TaskDraft(completed: true, customFields: [fields.status: .text(deletedStatus)])
    }

    /// The status written on the task of a deleted document.
    public static let deletedStatus = "Deleted in Acumatica"
    /// The status written on a task whose release Acumatica refused.
    public static let releaseFailedStatus = "release failed"

    /// The approval a task carries, as a stamp naming that one approval, or nil when it carries
    /// none. The stamp stays the same however the task is edited meanwhile (a retry of its
    /// release uses the same idempotency key) and changes with each new approval: a completion
    /// is stamped with its `completed_at`; the approval field stays set after an approval that
    /// went through and is cleared on a refusal, so setting it again after the last approval
    /// handled (`handled`, its `handledMark`, handled at `handledAt`) is a new one.
    public static func approval(on task: AsanaTask, config: AcumaticaAsanaConfig, handled: String?, handledAt: Date?) -> String? {
        if let field = config.asana.approval?.field, let approved = config.asana.approval?.approved, task.value(of: field)?.enum_value?.gid == approved {
            if let handled, handled.hasPrefix(approvedPrefix) { return handled }
            return approvedPrefix + (handledAt.map { "after:\(Int64(($0.timeIntervalSince1970 * 1000).rounded(.down)))" } ?? "first")
        }
        if config.approvesOnComplete, task.completed { return "completed:\(task.completed_at ?? "")" }
        return nil
    }

    /// What the link of a handled approval keeps: its stamp, marked when Acumatica refused it
    /// (the approval field was cleared, so the field set again is the next approval).
    public static func handledMark(stamp: String, refused: Bool) -> String {
        refused ? "refused:" + stamp : stamp
    }

    private static let approvedPrefix = "approved:"

    /// What approving a document does in Acumatica.
    public enum ApprovalStep: Equatable, Sendable {
        /// `ReleaseBill`.
        case release
        /// The workflow's `Approve`, then `ReleaseBill` (a bill still pending approval).
        case approveAndRelease
        /// The workflow's `Approve` (an order).
        case approve
        /// Nothing: the reason.
        case none(String)
    }

    /// The step for an approved document. Held or unbalanced bills are still sent: Acumatica's
    /// refusal, quoted on the task, says what to fix (nothing is decided for it here).
    public static func step(for document: ApprovalDocument) -> ApprovalStep {
        switch stage(of: document) {
        case .done: return .none("already \(document.status)")
        case .voided: return .none("\(document.status) in Acumatica")
        case .open:
            let pending = document.status.lowercased() == "pending approval"
            switch document.kind {
            case .bill: return pending ? .approveAndRelease : .release
            case .purchaseOrder: return .approve
            }
        }
    }

    /// The comment on a task whose release or approval Acumatica refused, quoting its reason.
    public static func refusalComment(for document: ApprovalDocument, reason: String) -> String {
        let noun = document.kind == .bill ? "Release of bill" : "Approval of purchase order"
        return "\(noun) \(document.number) failed in Acumatica: \"\(String(reason.prefix(500)))\". The task is reopened; fix the document in Acumatica and approve it again."
    }

    /// The comment on a task whose document was released or approved.
    public static func doneComment(for document: ApprovalDocument) -> String {
        let verb = document.kind == .bill ? "Released" : "Approved"
        return "\(verb) in Acumatica: \(document.kind == .bill ? "bill" : "purchase order") \(document.number) is now \(document.status)."
    }

    /// The Acumatica screen's document type code of a bill type (AP301000 `DocType`).
    static func billDocType(_ type: String) -> String {
        ["Bill": "INV", "Credit Adj.": "ACR", "Debit Adj.": "ADR", "Prepayment": "PPM"][type] ?? type
    }

    /// The order type code of a purchase order type (PO301000 `OrderType`).
    static func orderType(_ type: String) -> String {
        ["Normal": "RO", "Blanket": "BL", "Drop-Ship": "DP", "Standard": "SB"][type] ?? type
    }

    /// `1234.5` → `1234.50`; half away from zero, as money is printed.
    static func fixed(_ value: Decimal) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 2, .plain)
        let text = Money.string(rounded)
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        return "\(parts.first ?? "0").\(fraction.padding(toLength: 2, withPad: "0", startingAt: 0))"
    }

    /// A digest of what was written, so an unchanged mapping writes nothing and our own writes
    /// do not come back as new work.
    public static func contentHash<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Signature.sha256Hex(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
    }
}
