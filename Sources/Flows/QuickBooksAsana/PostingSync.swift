import Asana
import ConnectorKit
import Engine
import Foundation
import QuickBooks
import Store

extension QuickBooksAsanaSession {
    /// The QuickBooks record type this integration posts.
    var postedType: QuickBooksRecord { config.quickbooks.post_as == "journal-entry" ? .journalentry : .bill }

    /// Reconciles one task: the chosen vendor's details, its bill (or journal entry) posted once
    /// and then changed sparsely, and the transaction's figures back on the task.
    func post(task gid: String, event: ChangeEvent?) async throws -> JobOutcome {
        let source = ExternalRef.asana(.task, gid)
        let task: AsanaTask
        do { task = try await currentTask(gid: gid, event: event) } catch ConnectorError.notFound {
            return JobOutcome(sourceRef: source.description, unchanged: true, action: "ignored: task deleted in Asana")
        }
        guard let project = try await watchedProject(of: task) else {
            return JobOutcome(sourceRef: source.description, unchanged: true, action: "ignored: task in no watched project")
        }
        let fields = config.asana.fields
        let existing = try await link(from: source, type: postedType.rawValue)
        let mapping = QuickBooksAsanaMapping.projectMapping(of: task, in: project, fields: fields, configured: config.quickbooks.projects?[project])
        let request = QuickBooksAsanaMapping.billRequest(task, fields: fields, project: mapping, defaultAccount: config.quickbooks.default_expense_account)
        // A write rests on the task as it is now: a feed's snapshot may have been overtaken by a
        // later change that a job killed and retried out of order has already applied.
        if event != nil, case .success(let wanted) = request, existing?.contentHash != QuickBooksAsanaMapping.contentHash(wanted) {
            return try await post(task: gid, event: nil)
        }
        var writes: [StoreWrite] = []
        var actions: [String] = []
        var taskInputs: [String: CustomFieldInput] = [:]

        // The vendor the task names, looked up once for the details and the posting alike.
        var vendorID: String?
        if let option = task.value(of: fields.vendor)?.enum_value { vendorID = try await self.vendorID(option: option.gid, name: option.name) }
        // The chosen vendor's details, when the task names another vendor or its details changed.
        if let vendorID {
            let previous = try await link(from: source, type: QuickBooksRecord.vendor.rawValue)
            let kept = previous?.target.id == vendorID ? previous : nil
            let mapped = QuickBooksAsanaMapping.mapsVendorDetails(fields)
            if kept == nil || mapped {
                let inputs = mapped ? QuickBooksAsanaMapping.vendorDetails(try await quickbooks.vendor(id: vendorID), fields: fields) : [:]
                let hash = QuickBooksAsanaMapping.contentHash(inputs)
                if kept?.contentHash != hash {
                    if let previous, kept == nil { writes.append(.removeLink(integrationID: integration.id, source: source, target: previous.target)) }
                    taskInputs.merge(inputs) { $1 }
                    writes.append(newLink(source, .quickbooks(.vendor, vendorID), hash: hash, previous: kept))
                    if !inputs.isEmpty { actions.append("vendor details") }
                }
            }
        }

        var figures: QuickBooksAsanaMapping.Figures?
        var target = existing?.target
        switch request {
        case .failure(let missing):
            if existing == nil { actions.append("not posted: missing \(missing.names.joined(separator: ", "))") }
            if let existing { figures = try await currentFigures(existing.target, task: gid, writes: &writes, actions: &actions) }
        case .success(let wanted):
            let hash = QuickBooksAsanaMapping.contentHash(wanted)
            if let existing {
                figures = try await update(existing, with: wanted, vendorID: vendorID, hash: hash, task: task, writes: &writes, actions: &actions)
            } else if QuickBooksAsanaMapping.asksToPost(task, status: fields.post_status) {
                if let made = try await create(wanted, vendorID: vendorID, hash: hash, task: task, writes: &writes, actions: &actions) {
                    target = made.target
                    figures = made.figures
                    if let posted = fields.post_status.options["posted"] { taskInputs[fields.post_status.field] = .enumOption(posted) }
                }
            } else {
                actions.append("waiting for the post status")
            }
        }
        // The transaction's figures go back when they differ from what the task was last given.
        if let figures, let target {
            let previous = try await context.store.links(integrationID: integration.id, source: target).first { $0.target == source }
            let hash = QuickBooksAsanaMapping.contentHash(figures)
            if previous?.contentHash != hash {
                taskInputs.merge(QuickBooksAsanaMapping.figureInputs(figures, fields: fields)) { $1 }
                writes.append(newLink(target, source, hash: hash, previous: previous))
                actions.append("figures to Asana (\(figures.status ?? "posted"))")
            }
        }
        // Only what the task, as this job read it, does not show yet is written. The bill's amount and
        // due date came from the task: written back, they would undo a person's edit made since the
        // read (a new amount typed while the bill was being made), and nothing would post it.
        let changes = task.changes(taskInputs)
        if !changes.isEmpty {
            // A write to the task, like one to QuickBooks, rests on the task as it is now.
            if event != nil { return try await post(task: gid, event: nil) }
            _ = try await asana.updateTask(gid: gid, TaskDraft(customFields: changes))
        }
        return JobOutcome(writes: writes, sourceRef: source.description, targetRef: target?.description, unchanged: writes.isEmpty,
                          action: actions.isEmpty ? "posting unchanged" : actions.joined(separator: "; "))
    }

    /// The task's first project that is watched: a configured one, or one of the team's now
    /// (the team is listed only when the task is in a project not configured).
    func watchedProject(of task: AsanaTask) async throws -> String? {
        let configured = Set(config.asana.projects ?? [])
        var team: [String]?
        for project in task.projects?.map(\.gid) ?? [] {
            if configured.contains(project) { return project }
            guard config.asana.team != nil else { continue }
            if team == nil { team = try await QuickBooksAsanaIntegration().watchedProjects(config, asana: asana, strict: true) }
            if team?.contains(project) == true { return project }
        }
        return nil
    }

    /// Resolves a request's names to QuickBooks ids (`vendorID`: its vendor option's, nil when
    /// QuickBooks has no such vendor); the caller reports an unknown name on the task once.
    func resolve(_ wanted: QuickBooksAsanaMapping.BillRequest, vendorID: String?, task: AsanaTask) async throws
        -> Result<QuickBooksAsanaMapping.Posting, QuickBooksAsanaMapping.UnknownName> {
        guard let vendorID else {
            return .failure(QuickBooksAsanaMapping.UnknownName(what: "vendor", name: wanted.vendorName))
        }
        let directory = QuickBooksAsanaMapping.Directory(
            accounts: try await quickbooks.accounts().collect().filter { $0.Active != false }.map { ($0.Id, $0.Name ?? $0.Id) },
            classes: wanted.className == nil ? [] : try await quickbooks.classes().collect().filter { $0.Active != false }.map { ($0.Id, $0.FullyQualifiedName ?? $0.Name ?? $0.Id) },
            departments: wanted.departmentName == nil ? [] : try await quickbooks.departments().collect().filter { $0.Active != false }.map { ($0.Id, $0.FullyQualifiedName ?? $0.Name ?? $0.Id) })
        return QuickBooksAsanaMapping.posting(wanted, task: task.gid, vendorID: vendorID, defaultAccount: config.quickbooks.default_expense_account, directory: directory, currency: currency,
                                              person: try await person(email: wanted.assigneeEmail))
    }

    /// The QuickBooks employee (else vendor) the task's assignee is, by email, for a journal
    /// entry's debit line; nil for bills (a bill line names no person), or when people do not
    /// align by email or nobody matches.
    func person(email: String?) async throws -> EntityTypeRef? {
        guard postedType == .journalentry, config.people?.match == "email", let email else { return nil }
        let employees = try await quickbooks.employees().collect().filter { $0.Active != false }.map { QuickBooksAsanaMapping.Person(id: $0.Id, email: $0.PrimaryEmailAddr?.Address) }
        // Vendors are read only when no employee has the email (one or several decide alone).
        let key = QuickBooksAsanaMapping.emailKey(email)
        let vendors = employees.contains { QuickBooksAsanaMapping.emailKey($0.email) == key } ? []
            : try await quickbooks.vendors().collect().filter { $0.Active != false }.map { QuickBooksAsanaMapping.Person(id: $0.Id, email: $0.PrimaryEmailAddr?.Address) }
        return QuickBooksAsanaMapping.person(email: email, employees: employees, vendors: vendors)
    }

    /// Creates the task's transaction once: the intent records it first, an uncertain earlier
    /// attempt is looked up by our document number, and the `requestid` is the intent's key.
    func create(_ wanted: QuickBooksAsanaMapping.BillRequest, vendorID: String?, hash: String, task: AsanaTask, writes: inout [StoreWrite], actions: inout [String]) async throws
        -> (target: ExternalRef, figures: QuickBooksAsanaMapping.Figures)? {
        let source = ExternalRef.asana(.task, task.gid)
        let posting: QuickBooksAsanaMapping.Posting
        switch try await resolve(wanted, vendorID: vendorID, task: task) {
        case .failure(let unknown):
            writes.append(try await comment(task: task.gid, key: QuickBooksAsanaIntentKey.comment(task: source, about: source, hash: hash), text: "Not posted to QuickBooks: \(unknown.message)."))
            actions.append("not posted: \(unknown.message)")
            return nil
        case .success(let resolved): posting = resolved
        }
        let key = QuickBooksAsanaIntentKey.posting(source)
        let number = QuickBooksAsanaMapping.docNumber(task: task.gid)
        let target: ExternalRef
        let figures: QuickBooksAsanaMapping.Figures
        if postedType == .journalentry, let credit = config.quickbooks.credit_account {
            let (entry, confirm) = try await context.intents.create(key, target: { $0.Id.map { .quickbooks(.journalentry, $0) } },
                lookUp: { try await quickbooks.journalEntries(docNumber: number).collect().first },
                make: { try await quickbooks.createJournalEntry(QuickBooksAsanaMapping.journalEntry(posting, creditAccount: credit), requestID: key) })
            guard let id = entry.Id else { throw ConnectorError.permanent("QuickBooks answered a journal entry without an Id") }
            writes.append(confirm)
            target = .quickbooks(.journalentry, id)
            // An entry an interrupted attempt made from an older version of the task is brought up to date.
            let change = QuickBooksAsanaMapping.journalEntryChange(posting, creditAccount: credit, current: entry)
            let current = change.isEmpty ? entry : try await quickbooks.update(.journalentry, id: id, change: change, requestID: "\(key):\(hash)", syncToken: entry.SyncToken, as: JournalEntry.self)
            figures = QuickBooksAsanaMapping.figures(current)
            actions.append("post journal entry \(number)")
        } else {
            let (bill, confirm) = try await context.intents.create(key, target: { $0.Id.map { .quickbooks(.bill, $0) } },
                // By our document number alone: an earlier attempt may have named a vendor the task no longer does.
                lookUp: { try await quickbooks.bills(docNumber: number).collect().first },
                make: { try await quickbooks.createBill(QuickBooksAsanaMapping.bill(posting), requestID: key) })
            guard let id = bill.Id else { throw ConnectorError.permanent("QuickBooks answered a bill without an Id") }
            writes.append(confirm)
            target = .quickbooks(.bill, id)
            // A bill an interrupted attempt made from an older version of the task is brought up to date.
            let change = QuickBooksAsanaMapping.billChange(posting, current: bill)
            figures = QuickBooksAsanaMapping.figures(change.isEmpty ? bill : try await updateBill(id, change: change, requestID: "\(key):\(hash)", syncToken: bill.SyncToken))
            actions.append("post bill \(number)")
        }
        writes.append(newLink(source, target, hash: hash, previous: nil))
        return (target, figures)
    }

    /// Applies a changed task to its transaction as a sparse update of what differs, over the
    /// current SyncToken; a paid or deleted bill is reported on the task instead.
    func update(_ existing: Link, with wanted: QuickBooksAsanaMapping.BillRequest, vendorID: String?, hash: String, task: AsanaTask,
                writes: inout [StoreWrite], actions: inout [String]) async throws -> QuickBooksAsanaMapping.Figures? {
        let source = ExternalRef.asana(.task, task.gid)
        let requestID = "\(QuickBooksAsanaIntentKey.posting(source)):\(hash)"
        if existing.target.type == QuickBooksRecord.journalentry.rawValue {
            let entry: JournalEntry
            do { entry = try await quickbooks.journalEntry(id: existing.target.id) } catch ConnectorError.notFound {
                try await reportGone(existing, task: task.gid, hash: hash, writes: &writes, actions: &actions)
                return nil
            }
            guard existing.contentHash != hash, let credit = config.quickbooks.credit_account else { return QuickBooksAsanaMapping.figures(entry) }
            let posting: QuickBooksAsanaMapping.Posting
            switch try await resolve(wanted, vendorID: vendorID, task: task) {
            case .failure(let unknown):
                try await reportUnknown(unknown, existing: existing, task: task.gid, hash: hash, writes: &writes, actions: &actions)
                return QuickBooksAsanaMapping.figures(entry)
            case .success(let resolved): posting = resolved
            }
            let change = QuickBooksAsanaMapping.journalEntryChange(posting, creditAccount: credit, current: entry)
            var result = entry
            if !change.isEmpty {
                result = try await quickbooks.update(.journalentry, id: existing.target.id, change: change, requestID: requestID, syncToken: entry.SyncToken, as: JournalEntry.self)
                actions.append("update journal entry")
            }
            writes.append(newLink(source, existing.target, hash: hash, previous: existing))
            return QuickBooksAsanaMapping.figures(result)
        }
        let bill: Bill
        do { bill = try await quickbooks.bill(id: existing.target.id) } catch ConnectorError.notFound {
            try await reportGone(existing, task: task.gid, hash: hash, writes: &writes, actions: &actions)
            return nil
        }
        guard existing.contentHash != hash else { return QuickBooksAsanaMapping.figures(bill) }
        let posting: QuickBooksAsanaMapping.Posting
        switch try await resolve(wanted, vendorID: vendorID, task: task) {
        case .failure(let unknown):
            try await reportUnknown(unknown, existing: existing, task: task.gid, hash: hash, writes: &writes, actions: &actions)
            return QuickBooksAsanaMapping.figures(bill)
        case .success(let resolved): posting = resolved
        }
        let change = QuickBooksAsanaMapping.billChange(posting, current: bill)
        var result = bill
        if !change.isEmpty {
            if QuickBooksAsanaMapping.isSettled(bill) {
                let status = QuickBooksAsanaMapping.figures(bill).status ?? "paid"
                writes.append(try await comment(task: task.gid, key: QuickBooksAsanaIntentKey.comment(task: source, about: existing.target, hash: hash),
                                                text: "Change not applied: QuickBooks bill \(bill.DocNumber ?? existing.target.id) is already \(status). Amend it in QuickBooks if needed."))
                actions.append("reported: bill already \(status)")
            } else {
                // A stale SyncToken is re-read and only this change re-applied (QuickBooksClient.update).
                result = try await updateBill(existing.target.id, change: change, requestID: requestID, syncToken: bill.SyncToken)
                actions.append("update bill (sparse)")
            }
        }
        writes.append(newLink(source, existing.target, hash: hash, previous: existing))
        return QuickBooksAsanaMapping.figures(result)
    }

    /// A change naming what QuickBooks does not have (a vendor, account, class or department, say
    /// one a project's field names after apply): said once per change on the task, not applied.
    func reportUnknown(_ unknown: QuickBooksAsanaMapping.UnknownName, existing: Link, task: String, hash: String,
                       writes: inout [StoreWrite], actions: inout [String]) async throws {
        writes.append(try await comment(task: task, key: QuickBooksAsanaIntentKey.comment(task: .asana(.task, task), about: existing.target, hash: hash),
                                        text: "Change not posted to QuickBooks: \(unknown.message)."))
        actions.append("not updated: \(unknown.message)")
    }

    /// The sparse update of a bill over `syncToken` (the version this job read).
    func updateBill(_ id: String, change: QuickBooksAsanaMapping.BillChange, requestID: String, syncToken: String?) async throws -> Bill {
        try await quickbooks.update(.bill, id: id, change: change, requestID: requestID, syncToken: syncToken, as: Bill.self)
    }

    /// The figures of a linked transaction as it is now (nil when it is gone, which is reported).
    func currentFigures(_ target: ExternalRef, task: String, writes: inout [StoreWrite], actions: inout [String]) async throws -> QuickBooksAsanaMapping.Figures? {
        do {
            if target.type == QuickBooksRecord.journalentry.rawValue { return QuickBooksAsanaMapping.figures(try await quickbooks.journalEntry(id: target.id)) }
            return QuickBooksAsanaMapping.figures(try await quickbooks.bill(id: target.id))
        } catch ConnectorError.notFound {
            guard let existing = try await link(from: .asana(.task, task), type: target.type) else { return nil }
            try await reportGone(existing, task: task, hash: existing.contentHash, writes: &writes, actions: &actions)
            return nil
        }
    }

    /// A transaction deleted in QuickBooks: said once on the task, never made again.
    func reportGone(_ existing: Link, task: String, hash: String, writes: inout [StoreWrite], actions: inout [String]) async throws {
        let source = ExternalRef.asana(.task, task)
        writes.append(try await comment(task: task, key: QuickBooksAsanaIntentKey.comment(task: source, about: existing.target, hash: "deleted"),
                                        text: "QuickBooks \(existing.target.type) \(existing.target.id) was deleted in QuickBooks; this task's changes are no longer posted."))
        if existing.contentHash != hash { writes.append(newLink(source, existing.target, hash: hash, previous: existing)) }
        actions.append("reported: \(existing.target.type) deleted in QuickBooks")
    }
}
