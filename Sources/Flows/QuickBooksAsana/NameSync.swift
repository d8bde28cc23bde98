import Asana
import ConnectorKit
import Engine
import Foundation
import QuickBooks
import Store

extension QuickBooksAsanaSession {
    /// The enum field a name-list record is mirrored on, if one is mapped.
    func optionField(for type: QuickBooksRecord) -> String? {
        QuickBooksAsanaIntegration.optionField(for: type, fields: config.asana.fields)
    }

    /// Reads a name-list record as an option sees it; a record gone from QuickBooks counts as inactive.
    func nameEntry(_ type: QuickBooksRecord, id: String) async throws -> (entry: QuickBooksAsanaMapping.NameEntry, vendor: Vendor?) {
        switch type {
        case .vendor:
            let vendor = try await quickbooks.vendor(id: id)
            return (.init(id: id, name: vendor.DisplayName ?? "", active: vendor.Active ?? true), vendor)
        case .customer:
            let customer = try await quickbooks.customer(id: id)
            return (.init(id: id, name: customer.DisplayName ?? "", active: customer.Active ?? true), nil)
        case .class:
            let record = try await quickbooks.read(.class, id: id, as: QuickBooksClass.self)
            return (.init(id: id, name: record.FullyQualifiedName ?? record.Name ?? "", active: record.Active ?? true), nil)
        default:
            let record = try await quickbooks.read(.department, id: id, as: Department.self)
            return (.init(id: id, name: record.FullyQualifiedName ?? record.Name ?? "", active: record.Active ?? true), nil)
        }
    }

    /// A QuickBooks vendor, customer, class or department → its option on the mapped enum field
    /// (created, renamed, disabled when inactive); a vendor whose details changed hands each task
    /// naming it to that task's posting job, which alone writes the task's aggregate.
    func syncName(_ ref: ExternalRef, deleted: Bool, trigger: TriggerSource) async throws -> JobOutcome {
        guard let type = QuickBooksRecord(rawValue: ref.type), let fieldGID = optionField(for: type) else {
            return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: no field mapped for \(ref.type)")
        }
        let read: (entry: QuickBooksAsanaMapping.NameEntry, vendor: Vendor?)
        if deleted {
            read = (.init(id: ref.id, name: "", active: false), nil)
        } else {
            do { read = try await nameEntry(type, id: ref.id) } catch ConnectorError.notFound { read = (.init(id: ref.id, name: "", active: false), nil) }
        }
        var writes: [StoreWrite] = []
        var actions: [String] = []
        let previous = try await link(from: ref, type: AsanaRecord.enumOption.rawValue)
        let hash = QuickBooksAsanaMapping.contentHash(read.entry)
        if previous?.contentHash != hash {
            let field = try await asana.customField(gid: fieldGID)
            if field.resource_subtype == "enum" {
                let options = field.enum_options ?? []
                // A person may have added the option already: adopt the one with the record's name.
                let current = previous.flatMap { link in options.first { $0.gid == link.target.id } } ?? options.first { $0.name == read.entry.name && previous == nil }
                let target: ExternalRef?
                switch QuickBooksAsanaMapping.optionChange(for: read.entry, option: current) {
                case .create(let name):
                    // The field was just read: an earlier attempt's option (made, then the job
                    // died before its link) is among `options` by name, so it is not read again.
                    let (option, confirm) = try await context.intents.create(QuickBooksAsanaIntentKey.option(ref), target: { .asana(.enumOption, $0.gid) },
                        lookUp: { options.first { $0.name == name } },
                        make: { try await asana.createEnumOption(field: fieldGID, name: name) })
                    writes.append(confirm)
                    target = .asana(.enumOption, option.gid)
                    actions.append("add option \"\(name)\"")
                case .update(let option, let name, let enabled):
                    _ = try await asana.updateEnumOption(gid: option, name: name, enabled: enabled)
                    target = .asana(.enumOption, option)
                    actions.append([name.map { "rename option to \"\($0)\"" }, enabled.map { $0 ? "enable option" : "disable option" }].compactMap { $0 }.joined(separator: ", "))
                case .none:
                    target = current.map { .asana(.enumOption, $0.gid) }
                }
                if let target { writes.append(newLink(ref, target, hash: hash, previous: previous)) }
            } else {
                actions.append("field \(fieldGID) is \(field.resource_subtype), not enum: no option")
            }
        }
        if let vendor = read.vendor {
            let postings = try await postingJobs(after: vendor, trigger: trigger)
            writes += postings
            if !postings.isEmpty { actions.append("details to \(postings.count) task(s)") }
        }
        return JobOutcome(writes: writes, sourceRef: ref.description, targetRef: writes.isEmpty ? nil : fieldGID, unchanged: writes.isEmpty,
                          action: actions.isEmpty ? "option unchanged" : actions.joined(separator: "; "))
    }

    /// The posting job of every task whose details from `vendor` are out of date: the task, its
    /// link to the vendor and its transaction are written under the task's key, never here.
    func postingJobs(after vendor: Vendor, trigger: TriggerSource) async throws -> [StoreWrite] {
        let inputs = QuickBooksAsanaMapping.vendorDetails(vendor, fields: config.asana.fields)
        guard !inputs.isEmpty else { return [] }
        let hash = QuickBooksAsanaMapping.contentHash(inputs)
        return try await context.store.links(integrationID: integration.id, target: .quickbooks(.vendor, vendor.Id))
            .filter { $0.source.system == .asana && $0.source.type == AsanaRecord.task.rawValue && $0.contentHash != hash }
            .map { .enqueue(try postingJob(task: $0.source.id, event: nil, trigger: trigger)) }
    }

    /// The QuickBooks vendor an option of the vendor field stands for: by this integration's
    /// link, else by the option's name.
    func vendorID(option: String, name: String) async throws -> String? {
        let linked = try await context.store.links(integrationID: integration.id, target: .asana(.enumOption, option))
        if let vendor = linked.first(where: { $0.source.system == .quickbooks && $0.source.type == QuickBooksRecord.vendor.rawValue }) { return vendor.source.id }
        return try await quickbooks.query("SELECT * FROM Vendor WHERE DisplayName = '\(QueryText.quote(name))'", as: Vendor.self).collect().first?.Id
    }
}
