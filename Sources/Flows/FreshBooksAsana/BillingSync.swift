import Asana
import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Store

extension FreshBooksAsanaSession {
    /// An Asana task changed: its project's billing is reconciled.
    func syncTask(gid: String, trigger: TriggerSource, event: ChangeEvent? = nil) async throws -> JobOutcome {
        let source = ExternalRef.asana(.task, gid)
        if let resync = event?.resyncOf, resync.system == .asana, resync.type == AsanaRecord.project.rawValue {
            // The project's own event in the same poll asks for one reconciliation of the whole re-read.
            return JobOutcome(sourceRef: source.description, targetRef: resync.description, unchanged: true, action: "re-read with \(resync): reconciled with the project")
        }
        let projectGID: String
        if let parent = event?.parent, parent.system == .asana, parent.type == AsanaRecord.project.rawValue {
            // The event names the project the task was added to or removed from: no read of the task needed.
            projectGID = parent.id
        } else if let first = try await currentTask(gid: gid, event: event).projects?.first?.gid {
            projectGID = first
        } else {
            return JobOutcome(sourceRef: source.description, unchanged: true, action: "ignored: task in no project")
        }
        var outcome = try reconcileBilling(projectGID: projectGID, task: gid, trigger: trigger)
        outcome.sourceRef = source.description
        return outcome
    }

    /// Hands a project's writes to the one job that makes them: a project or task change
    /// enqueues the reconciliation under the project's serialization key, so that its client,
    /// project and invoices are never created by two jobs at once (jobs with one key never run
    /// together) and a burst of changes folds into one reconciliation.
    /// `resync`: asked for by the event standing for a poll's re-read of the project's tasks.
    func reconcileBilling(projectGID: String, task: String?, trigger: TriggerSource, resync: Bool = false) throws -> JobOutcome {
        let job = try JobRequest(kind: FreshBooksAsanaBillingJob.kind, tenant: integration.tenant, integrationID: integration.id, connectionID: asana.connection.id,
                                 coalesceKey: FreshBooksAsanaBillingJob.serializationKey(integrationID: integration.id, projectGID: projectGID),
                                 payload: FreshBooksAsanaBillingJob.Payload(project: projectGID, task: task),
                                 runAt: FreshBooksAsanaBillingJob.due(after: job, resync: resync, now: context.now), source: trigger)
        let project = ExternalRef.asana(.project, projectGID).description
        return JobOutcome(writes: [.enqueue(job)], sourceRef: project, targetRef: project, action: "reconcile the project's billing")
    }

    /// Reconciles a project: progress, expenses, and every completed billable task as a line on
    /// its draft invoice (one write per invoice). A sent invoice is not changed: the task is told.
    func syncBilling(projectGID: String) async throws -> JobOutcome {
        let projectSource = ExternalRef.asana(.project, projectGID)
        // One task list serves both the project's progress and its billing.
        let tasks = try await asana.tasks(project: projectGID).collect()
        let project = try await syncProject(gid: projectGID, tasks: tasks)
        var writes = project.outcome.writes
        guard let freshbooksIDs = project.freshbooks else {
            return JobOutcome(writes: writes, sourceRef: projectSource.description, unchanged: writes.isEmpty, action: "ignored: project not watched")
        }
        let (clientID, fbProjectID) = freshbooksIDs
        // Each task's links (expense, invoice) are read once for the whole reconciliation.
        var taskLinks: [String: LinksFrom] = [:]
        for task in tasks { taskLinks[task.gid] = try await links(from: .asana(.task, task.gid)) }
        var actions: [String] = []
        for task in tasks {
            let expense = try await syncExpense(task: task, previous: taskLinks[task.gid]?[.expense], clientID: clientID, projectID: fbProjectID)
            writes += expense.writes
            if let action = expense.action { actions.append(action) }
        }

        // Completed billable tasks, by the invoice they belong on.
        var groups: [String: [(task: AsanaTask, line: InvoiceLine, hash: String, link: Link?)]] = [:]
        for task in tasks {
            guard let billable = FreshBooksAsanaMapping.billable(task, fields: config.asana.fields) else { continue }
            let line = FreshBooksAsanaMapping.line(for: task, billable: billable, currency: currency)
            let number = FreshBooksAsanaMapping.invoiceNumber(prefix: config.freshbooks.invoice.number_prefix, group: config.freshbooks.invoice.group,
                                                              freshbooksProjectID: fbProjectID, task: task, now: context.now)
            groups[number, default: []].append((task, line, FreshBooksAsanaMapping.contentHash(line), taskLinks[task.gid]?[.invoice]))
        }
        for (number, entries) in groups.sorted(by: { $0.key < $1.key }) {
            let changed = entries.filter { $0.link?.contentHash != $0.hash }
            guard !changed.isEmpty else { continue }
            let existing: FreshBooks.Invoice?
            var searched = false
            if let id = entries.compactMap({ $0.link.flatMap { Int($0.target.id) } }).first {
                existing = try await freshbooks.invoice(id: id)
            } else if case let intent = try await context.intents.peek(IntentKey.invoice(number: number)), intent.needsLookUp {
                // An earlier attempt, or tasks linked to it and since withdrawn, made an invoice of this number.
                existing = try await freshbooks.invoice(number: number)
                searched = true
                if let existing, !intent.isDone {
                    // Found where an attempt that died after making it left its intent open: confirmed now.
                    writes.append(context.intents.done(IntentKey.invoice(number: number), target: .freshbooks(.invoice, existing.id)))
                }
            } else {
                // No attempt ever began to create it (an intent is recorded before every create): nothing to search for.
                existing = nil
            }
            let invoice: FreshBooks.Invoice
            if let existing {
                guard existing.isDraft else {
                    let ours = try await markedSentByUs(existing)
                    for entry in changed {
                        // A line this integration wrote before marking the invoice sent is no change.
                        if !(ours && entry.link == nil) {
                            writes.append(try await comment(task: entry.task.gid, key: IntentKey.comment(task: .asana(.task, entry.task.gid), about: .freshbooks(.invoice, existing.id), hash: entry.hash),
                                                            text: "Billing change not applied: FreshBooks invoice \(existing.invoiceNumber) was already \(existing.v3Status). Amend it in FreshBooks if needed."))
                        }
                        writes.append(newLink(.asana(.task, entry.task.gid), .freshbooks(.invoice, existing.id), hash: entry.hash, previous: entry.link))
                    }
                    actions.append("reported \(changed.count) change(s): invoice \(existing.invoiceNumber) already \(existing.v3Status)")
                    continue
                }
                invoice = try await freshbooks.replaceInvoiceLines(id: existing.id, lines: lines(of: existing, without: entries.map(\.task.gid)) + entries.map(\.line))
                actions.append("update draft invoice \(number)")
            } else {
                let draft = InvoiceDraft(customerID: clientID, invoiceNumber: number, currencyCode: currency.code, dueOffsetDays: config.freshbooks.invoice.due_offset_days,
                                         lines: entries.map(\.line))
                // Our own invoice number is the key FreshBooks can be searched by.
                let start = try await context.intents.begin(IntentKey.invoice(number: number))
                // Searched just now when an earlier attempt left the intent; no other job of this key runs meanwhile.
                invoice = try await freshbooks.createInvoice(draft, previousAttemptUncertain: start.needsLookUp && !searched)
                writes.append(context.intents.done(IntentKey.invoice(number: number), target: .freshbooks(.invoice, invoice.id)))
                actions.append("create draft invoice \(number)")
            }
            // Whether the invoice was created now or by an attempt that failed after creating it.
            if config.freshbooks.invoice.mark_sent == true && config.freshbooks.invoice.group == "per-task" {
                writes.append(try await markSent(invoice))
            }
            for entry in entries {
                writes.append(newLink(.asana(.task, entry.task.gid), .freshbooks(.invoice, invoice.id), hash: entry.hash, previous: entry.link))
            }
            // The invoice's state goes on its tasks now: FreshBooks reports no update for a create.
            writes += try await writeStatus(of: invoice, to: entries.map { .asana(.task, $0.task.gid) }).writes
        }
        // Tasks that were invoiced but are no longer billable (reopened, amount cleared).
        let billableGIDs = Set(groups.values.flatMap { $0.map(\.task.gid) })
        var withdrawn: [Int: [AsanaTask]] = [:]
        for task in tasks where !billableGIDs.contains(task.gid) {
            if let link = taskLinks[task.gid]?[.invoice], let id = Int(link.target.id) {
                withdrawn[id, default: []].append(task)
            }
        }
        for (invoiceID, gone) in withdrawn.sorted(by: { $0.key < $1.key }) {
            let invoice = try await freshbooks.invoice(id: invoiceID)
            let target = ExternalRef.freshbooks(.invoice, invoiceID)
            guard invoice.isDraft else {
                for task in gone {
                    writes.append(try await comment(task: task.gid, key: IntentKey.comment(task: .asana(.task, task.gid), about: target, hash: "withdrawn"),
                                                    text: "Billing change not applied: FreshBooks invoice \(invoice.invoiceNumber) was already \(invoice.v3Status); its line for this task stays. Amend it in FreshBooks if needed."))
                }
                writes += gone.map { .removeLink(integrationID: integration.id, source: .asana(.task, $0.gid), target: target) }
                actions.append("reported \(gone.count) withdrawal(s): invoice \(invoice.invoiceNumber) already \(invoice.v3Status)")
                continue
            }
            _ = try await freshbooks.replaceInvoiceLines(id: invoiceID, lines: lines(of: invoice, without: gone.map(\.gid)))
            writes += gone.map { .removeLink(integrationID: integration.id, source: .asana(.task, $0.gid), target: target) }
            actions.append("remove \(gone.count) line(s) from draft invoice \(invoice.invoiceNumber)")
        }
        return JobOutcome(writes: writes, sourceRef: projectSource.description, targetRef: ExternalRef.freshbooks(.project, fbProjectID).description, unchanged: writes.isEmpty,
                          action: actions.isEmpty ? project.outcome.action ?? "billing unchanged" : actions.joined(separator: "; "))
    }

    /// An invoice's lines but those of `taskGIDs` (found by the task's marker in the
    /// description), as lines to write back.
    func lines(of invoice: FreshBooks.Invoice, without taskGIDs: [String]) -> [InvoiceLine] {
        let markers = taskGIDs.map { "Asana task \($0)" }
        return (invoice.lines ?? []).filter { line in !markers.contains { (line.description ?? "").contains($0) } }.map { old in
            InvoiceLine(name: old.name, description: old.description, quantity: old.quantity, unitCost: Money(old.unitCost.amount, currency), type: old.type, expenseID: old.expenseID)
        }
    }

    /// Writes an invoice's state, as the mapped enum option, on each task whose link does not
    /// already carry it (the link's hash is the option written last).
    func writeStatus(of invoice: FreshBooks.Invoice, to tasks: [ExternalRef]) async throws -> (writes: [StoreWrite], written: Int) {
        guard let mapping = config.asana.fields.billing_status, let option = FreshBooksAsanaMapping.statusOption(for: invoice, options: mapping.options) else { return ([], 0) }
        let source = ExternalRef.freshbooks(.invoice, invoice.id)
        let written = try await context.store.links(integrationID: integration.id, source: source)
        var writes: [StoreWrite] = []
        for task in tasks {
            let previous = written.first { $0.target == task }
            guard previous?.contentHash != option else { continue }
            _ = try await asana.updateTask(gid: task.id, TaskDraft(customFields: [mapping.field: .enumOption(option)]))
            writes.append(newLink(source, task, hash: option, previous: previous))
        }
        return (writes, writes.count)
    }

    /// A FreshBooks invoice's state → the billing-status enum option on every linked Asana task.
    func syncInvoiceStatus(invoiceID: Int, via trigger: ExternalRef? = nil) async throws -> JobOutcome {
        let source = ExternalRef.freshbooks(.invoice, invoiceID)
        guard let mapping = config.asana.fields.billing_status else { return JobOutcome(sourceRef: source.description, unchanged: true, action: "no status field mapped") }
        let invoice = try await freshbooks.invoice(id: invoiceID)
        guard FreshBooksAsanaMapping.statusOption(for: invoice, options: mapping.options) != nil else {
            return JobOutcome(sourceRef: source.description, unchanged: true, action: "no option for \(invoice.v3Status)")
        }
        let tasks = try await context.store.links(integrationID: integration.id, target: source).map(\.source).filter { $0.system == .asana && $0.type == "task" }
        let (writes, written) = try await writeStatus(of: invoice, to: tasks)
        return JobOutcome(writes: writes, sourceRef: (trigger ?? source).description, targetRef: tasks.first?.description, unchanged: written == 0,
                          action: "status \(invoice.v3Status) to \(written) Asana task(s)")
    }
}
