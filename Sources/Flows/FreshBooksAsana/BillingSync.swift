import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

extension FreshBooksAsanaSession {
    /// An Asana task: the linked project's progress follows, and a completed task with billable
    /// fields becomes (or updates) its line on a draft invoice. Once the invoice has been sent,
    /// a change is reported on the task, not applied.
    func syncTask(gid: String) async throws -> JobOutcome {
        let task = try await asana.task(gid: gid)
        let source = ExternalRef(system: .asana, type: "task", id: gid)
        guard let projectGID = task.projects?.first?.gid else { return JobOutcome(sourceRef: source.description, unchanged: true, action: "ignored: task in no project") }
        let projectOutcome = try await syncProject(gid: projectGID)
        let projectSource = ExternalRef(system: .asana, type: "project", id: projectGID)
        var writes = projectOutcome.writes
        let pending = writes.compactMap { write -> Link? in if case .upsertLink(let link) = write { return link } else { return nil } }
        let projectTarget = try await link(from: projectSource, type: "project")?.target ?? pending.first { $0.target.type == "project" }?.target
        let clientTarget = try await link(from: projectSource, type: "client")?.target ?? pending.first { $0.target.type == "client" }?.target
        guard let fbProjectID = projectTarget.flatMap({ Int($0.id) }), let clientID = clientTarget.flatMap({ Int($0.id) }) else {
            return JobOutcome(writes: writes, sourceRef: source.description, unchanged: writes.isEmpty, action: "ignored: project not watched")
        }

        let expense = try await syncExpense(task: task, clientID: clientID, projectID: fbProjectID)
        writes += expense.writes
        guard let billable = FreshBooksAsanaMapping.billable(task, fields: config.asana.fields) else {
            return JobOutcome(writes: writes, sourceRef: source.description, unchanged: writes.isEmpty, action: expense.action ?? "progress only")
        }
        let line = FreshBooksAsanaMapping.line(for: task, billable: billable, currency: currency)
        let hash = FreshBooksAsanaMapping.contentHash(line)
        let invoiceLink = try await link(from: source, type: "invoice")
        if let invoiceLink, invoiceLink.contentHash == hash {
            return JobOutcome(writes: writes, sourceRef: source.description, targetRef: invoiceLink.target.description, unchanged: writes.isEmpty, action: "invoice line unchanged")
        }
        let number = FreshBooksAsanaMapping.invoiceNumber(prefix: config.freshbooks.invoice.number_prefix, group: config.freshbooks.invoice.group,
                                                          freshbooksProjectID: fbProjectID, task: task, now: context.now)
        let existing: FreshBooks.Invoice?
        if let invoiceLink, let id = Int(invoiceLink.target.id) {
            existing = try await freshbooks.invoice(id: id)
        } else {
            existing = try await freshbooks.invoice(number: number)
        }
        let marker = "Asana task \(task.gid)"
        let invoice: FreshBooks.Invoice
        var action: String
        if let existing {
            guard existing.isDraft else {
                // Sent invoices are not changed behind the client's back: tell the team instead.
                _ = try await asana.addComment(task: task.gid, text: "Billing change not applied: FreshBooks invoice \(existing.invoiceNumber) was already \(existing.v3Status). Amend it in FreshBooks if needed.")
                writes.append(newLink(source, ExternalRef(system: .freshbooks, type: "invoice", id: "\(existing.id)"), hash: hash, previous: invoiceLink))
                return JobOutcome(writes: writes, sourceRef: source.description, targetRef: "freshbooks:invoice:\(existing.id)", action: "reported: invoice already \(existing.v3Status)")
            }
            let kept = (existing.lines ?? []).filter { !($0.description ?? "").contains(marker) }.map { old in
                InvoiceLine(name: old.name, description: old.description, quantity: old.quantity, unitCost: Money(old.unitCost.amount, currency), type: old.type, expenseID: old.expenseID)
            }
            invoice = try await freshbooks.replaceInvoiceLines(id: existing.id, lines: kept + [line])
            action = "update draft invoice \(existing.invoiceNumber)"
        } else {
            let draft = InvoiceDraft(customerID: clientID, invoiceNumber: number, currencyCode: currency.code, dueOffsetDays: config.freshbooks.invoice.due_offset_days, lines: [line])
            invoice = try await freshbooks.createInvoice(draft, previousAttemptUncertain: previousAttemptUncertain)
            action = "create draft invoice \(number)"
            if config.freshbooks.invoice.mark_sent == true && config.freshbooks.invoice.group == "per-task" {
                _ = try await freshbooks.markInvoiceSent(id: invoice.id)
                action += " and mark it sent"
            }
        }
        let target = ExternalRef(system: .freshbooks, type: "invoice", id: "\(invoice.id)")
        writes.append(newLink(source, target, hash: hash, previous: invoiceLink))
        return JobOutcome(writes: writes, sourceRef: source.description, targetRef: target.description, action: action)
    }

    /// A FreshBooks invoice's state → the billing-status enum option on every linked Asana task.
    func syncInvoiceStatus(invoiceID: Int, via trigger: ExternalRef? = nil) async throws -> JobOutcome {
        let source = ExternalRef(system: .freshbooks, type: "invoice", id: "\(invoiceID)")
        guard let mapping = config.asana.fields.billing_status else { return JobOutcome(sourceRef: source.description, unchanged: true, action: "no status field mapped") }
        let invoice = try await freshbooks.invoice(id: invoiceID)
        guard let option = FreshBooksAsanaMapping.statusOption(for: invoice, options: mapping.options) else {
            return JobOutcome(sourceRef: source.description, unchanged: true, action: "no option for \(invoice.v3Status)")
        }
        let tasks = try await context.store.links(integrationID: integration.id, target: source).map(\.source).filter { $0.system == .asana && $0.type == "task" }
        var writes: [StoreWrite] = []
        var written = 0
        for task in tasks {
            let previous = try await context.store.links(integrationID: integration.id, source: source).first { $0.target == task }
            guard previous?.contentHash != option else { continue }
            _ = try await asana.updateTask(gid: task.id, TaskDraft(customFields: [mapping.field: .enumOption(option)]))
            writes.append(newLink(source, task, hash: option, previous: previous))
            written += 1
        }
        return JobOutcome(writes: writes, sourceRef: (trigger ?? source).description, targetRef: tasks.first?.description, unchanged: written == 0,
                          action: "status \(invoice.v3Status) to \(written) Asana task(s)")
    }
}
