import Asana
import ConnectorKit
import Foundation
import QuickBooks

/// The pure rules of the QuickBooks ↔ Asana integration: no I/O, no clock.
public enum QuickBooksAsanaMapping {
    /// A QuickBooks name-list record (vendor, customer, class, department) as an enum option sees it.
    public struct NameEntry: Sendable, Equatable, Encodable {
        public var id: String
        public var name: String
        public var active: Bool

        /// Describes a name-list record.
        public init(id: String, name: String, active: Bool) {
            self.id = id
            self.name = name
            self.active = active
        }
    }

    /// What to do to a record's enum option.
    public enum OptionChange: Sendable, Equatable {
        /// Add an option with this name.
        case create(name: String)
        /// Rename the option (and enable it, when it was disabled).
        case update(option: String, name: String?, enabled: Bool?)
        /// Nothing to write.
        case none
    }

    /// The change that makes `option` (nil: none yet) show `entry`: an active record has an
    /// enabled option under its name; an inactive one's option is disabled, never deleted, and
    /// an inactive record with no option gets none.
    public static func optionChange(for entry: NameEntry, option: EnumOption?) -> OptionChange {
        let name = String(entry.name.prefix(maxOptionName))
        guard let option else { return entry.active && !name.isEmpty ? .create(name: name) : .none }
        let rename = entry.active && !name.isEmpty && option.name != name ? name : nil
        let enabled: Bool? = (option.enabled ?? true) != entry.active ? entry.active : nil
        return rename == nil && enabled == nil ? .none : .update(option: option.gid, name: rename, enabled: enabled)
    }

    /// Asana option names are short labels; longer QuickBooks names are cut there.
    public static let maxOptionName = 100

    /// A vendor's terms, email, phone and balance → the mapped detail fields of a task.
    public static func vendorDetails(_ vendor: Vendor, fields: QuickBooksAsanaConfig.Fields) -> [String: CustomFieldInput] {
        var inputs: [String: CustomFieldInput] = [:]
        func text(_ gid: String?, _ value: String?) {
            guard let gid else { return }
            inputs[gid] = value.map { .text(String($0.prefix(1024))) } ?? .clear
        }
        text(fields.vendor_terms, vendor.TermRef.map { $0.name ?? $0.value })
        text(fields.vendor_email, vendor.PrimaryEmailAddr?.Address)
        text(fields.vendor_phone, vendor.PrimaryPhone?.FreeFormNumber)
        if let gid = fields.vendor_balance { inputs[gid] = vendor.Balance.map(CustomFieldInput.number) ?? .clear }
        return inputs
    }

    /// Whether any of a vendor's details is mapped to a task field.
    public static func mapsVendorDetails(_ fields: QuickBooksAsanaConfig.Fields) -> Bool {
        [fields.vendor_terms, fields.vendor_email, fields.vendor_phone, fields.vendor_balance].contains { $0 != nil }
    }

    /// What a bill task asks for, read from its fields (names, not yet QuickBooks ids).
    public struct BillRequest: Sendable, Equatable, Encodable {
        public var vendorOption: String
        public var vendorName: String
        public var amount: Decimal
        public var dueDate: String
        public var account: String?
        public var className: String?
        public var departmentName: String?
        /// The assignee's email (lowercased): who the cost concerns, when people align by email.
        public var assigneeEmail: String?
    }

    /// A project's class and department: the configuration's (`quickbooks.projects`) where it
    /// names them, else the project's own mapped fields, read with the task; nil when neither does.
    public static func projectMapping(_ project: AsanaRef?, fields: QuickBooksAsanaConfig.Fields, configured: QuickBooksAsanaConfig.ProjectMapping?)
        -> QuickBooksAsanaConfig.ProjectMapping? {
        let mapping = QuickBooksAsanaConfig.ProjectMapping(class: configured?.class ?? fields.project_class.flatMap { text(project?.value(of: $0)) },
                                                           department: configured?.department ?? fields.project_department.flatMap { text(project?.value(of: $0)) })
        return mapping.class == nil && mapping.department == nil ? nil : mapping
    }

    /// The class and department of `task` in its watched `project` (see `projectMapping`).
    public static func projectMapping(of task: AsanaTask, in project: String, fields: QuickBooksAsanaConfig.Fields,
                                      configured: QuickBooksAsanaConfig.ProjectMapping?) -> QuickBooksAsanaConfig.ProjectMapping? {
        projectMapping(task.projects?.first { $0.gid == project }, fields: fields, configured: configured)
    }

    /// A task's bill request, or the names of the required fields it lacks. `mapping` is the
    /// project's class and department (`projectMapping`), which win over the task's own fields.
    public static func billRequest(_ task: AsanaTask, fields: QuickBooksAsanaConfig.Fields, project mapping: QuickBooksAsanaConfig.ProjectMapping?,
                                   defaultAccount: String?) -> Result<BillRequest, MissingFields> {
        var missing: [String] = []
        let vendor = task.value(of: fields.vendor)?.enum_value
        if vendor == nil { missing.append("vendor") }
        let amount = task.value(of: fields.amount)?.number_value
        if amount == nil || amount == 0 { missing.append("amount") }
        let due = task.value(of: fields.due_date)?.date_value?.date.map { String($0.prefix(10)) }
        if due == nil { missing.append("due date") }
        let account = fields.account.flatMap { text(task.value(of: $0)) }
        if account == nil && defaultAccount == nil { missing.append("account") }
        guard missing.isEmpty, let vendor, let amount, let due else { return .failure(MissingFields(names: missing)) }
        return .success(BillRequest(vendorOption: vendor.gid, vendorName: vendor.name, amount: amount, dueDate: due, account: account,
                                    className: mapping?.class ?? fields.class.flatMap { text(task.value(of: $0)) },
                                    departmentName: mapping?.department ?? fields.department.flatMap { text(task.value(of: $0)) },
                                    assigneeEmail: emailKey(task.assignee?.email)))
    }

    /// The required fields a task lacks.
    public struct MissingFields: Error, Sendable, Equatable {
        public var names: [String]
    }

    /// An enum's option name or a text field's text; nil when empty.
    static func text(_ value: CustomFieldValue?) -> String? {
        let text = value?.enum_value?.name ?? value?.text_value ?? value?.display_value
        return text.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Whether the task's post-status field says `post` (or already `posted`).
    public static func asksToPost(_ task: AsanaTask, status: AsanaEnumMapping) -> Bool {
        guard let chosen = task.value(of: status.field)?.enum_value?.gid else { return false }
        return chosen == status.options["post"] || (status.options["posted"].map { $0 == chosen } ?? false)
    }

    /// A bill request with every name resolved to a QuickBooks id.
    public struct Posting: Sendable, Equatable, Encodable {
        public var taskGID: String
        public var vendorID: String
        public var amount: Money
        public var dueDate: String
        public var accountID: String
        public var classID: String?
        public var departmentID: String?
        /// The employee (or vendor) the assignee is in QuickBooks, named on a journal entry's debit line.
        public var person: EntityTypeRef?
    }

    /// The QuickBooks ids a request's names resolve to (lists read once per job).
    public struct Directory: Sendable {
        /// Account, class and department names (and ids) → ids.
        public var accounts: [String: String]
        public var classes: [String: String]
        public var departments: [String: String]

        /// A directory of active records: each by name and by id.
        public init(accounts: [(id: String, name: String)], classes: [(id: String, name: String)], departments: [(id: String, name: String)]) {
            func index(_ rows: [(id: String, name: String)]) -> [String: String] {
                var byKey: [String: String] = [:]
                for row in rows { byKey[row.id] = row.id; byKey[row.name.lowercased()] = byKey[row.name.lowercased()] ?? row.id }
                return byKey
            }
            self.accounts = index(accounts)
            self.classes = index(classes)
            self.departments = index(departments)
        }

        func find(_ key: String, in table: [String: String]) -> String? { table[key] ?? table[key.lowercased()] }
    }

    /// Resolves a request; the error names what QuickBooks does not have.
    public static func posting(_ request: BillRequest, task: String, vendorID: String, defaultAccount: String?, directory: Directory,
                               currency: CurrencyCode, person: EntityTypeRef? = nil) -> Result<Posting, UnknownName> {
        guard let accountKey = request.account ?? defaultAccount else { return .failure(UnknownName(what: "account", name: "(none given)")) }
        guard let account = directory.find(accountKey, in: directory.accounts) else { return .failure(UnknownName(what: "account", name: accountKey)) }
        var classID: String?
        if let name = request.className {
            guard let id = directory.find(name, in: directory.classes) else { return .failure(UnknownName(what: "class", name: name)) }
            classID = id
        }
        var departmentID: String?
        if let name = request.departmentName {
            guard let id = directory.find(name, in: directory.departments) else { return .failure(UnknownName(what: "department", name: name)) }
            departmentID = id
        }
        return .success(Posting(taskGID: task, vendorID: vendorID, amount: Money(request.amount, currency), dueDate: request.dueDate, accountID: account,
                                classID: classID, departmentID: departmentID, person: person))
    }

    /// A name QuickBooks does not know.
    public struct UnknownName: Error, Sendable, Equatable {
        public var what: String
        public var name: String
        /// `class "Consulting" does not exist in QuickBooks`.
        public var message: String { "\(what) \"\(name)\" does not exist (or is inactive) in QuickBooks" }
    }

    /// The task's link in QuickBooks' private note.
    public static func privateNote(task: String) -> String { "Asana task https://app.asana.com/0/0/\(task)" }

    /// Our document number for a task's transaction: the natural key an uncertain create is
    /// looked up by (QBO allows 21 characters; a GID's last 17 digits stay unique in practice).
    public static func docNumber(task: String) -> String { "ASN" + task.suffix(17) }

    /// The line of a posting.
    static func billLine(_ posting: Posting) -> BillLine {
        BillLine(amount: posting.amount.amount, account: posting.accountID, description: privateNote(task: posting.taskGID), classRef: posting.classID)
    }

    /// A new bill: vendor, due date, one account-based line on the class, the department on the header.
    public static func bill(_ posting: Posting) -> Bill {
        var bill = Bill(vendor: posting.vendorID, lines: [billLine(posting)], dueDate: posting.dueDate, docNumber: docNumber(task: posting.taskGID),
                        department: posting.departmentID, currency: posting.amount.currency)
        bill.PrivateNote = privateNote(task: posting.taskGID)
        return bill
    }

    /// A new journal entry: the expense account debited on the class and department, the
    /// configured account credited.
    public static func journalEntry(_ posting: Posting, creditAccount: String) -> JournalEntry {
        let note = privateNote(task: posting.taskGID)
        return JournalEntry(lines: [
            JournalEntryLine(postingType: "Debit", amount: posting.amount.amount, account: posting.accountID, description: note, classRef: posting.classID, department: posting.departmentID,
                             entity: posting.person),
            JournalEntryLine(postingType: "Credit", amount: posting.amount.amount, account: creditAccount, description: note, classRef: posting.classID, department: posting.departmentID),
        ], txnDate: posting.dueDate, docNumber: docNumber(task: posting.taskGID), privateNote: note)
    }

    /// The sparse change of a bill: only the parts where the posting differs from the bill as
    /// it is, so an edit made in QuickBooks to anything else (its memo) is never sent back.
    public struct BillChange: Encodable, Sendable, Equatable {
        public var VendorRef: ReferenceType?
        public var DueDate: String?
        public var DepartmentRef: ReferenceType?
        public var Line: [BillLine]?

        /// True when nothing differs.
        public var isEmpty: Bool { VendorRef == nil && DueDate == nil && DepartmentRef == nil && Line == nil }
    }

    /// What must change on `bill` for it to carry `posting`.
    public static func billChange(_ posting: Posting, current bill: Bill) -> BillChange {
        var change = BillChange()
        if bill.VendorRef.value != posting.vendorID { change.VendorRef = ReferenceType(posting.vendorID) }
        if bill.DueDate != posting.dueDate { change.DueDate = posting.dueDate }
        if bill.DepartmentRef?.value != posting.departmentID, let department = posting.departmentID { change.DepartmentRef = ReferenceType(department) }
        let detail = bill.Line.first?.AccountBasedExpenseLineDetail
        if bill.Line.count != 1 || bill.Line.first?.Amount != posting.amount.amount || detail?.AccountRef.value != posting.accountID || detail?.ClassRef?.value != posting.classID {
            var line = billLine(posting)
            // Keep QuickBooks' own line description when the line was edited there.
            if bill.Line.count == 1, let description = bill.Line.first?.Description { line.Description = description }
            change.Line = [line]
        }
        return change
    }

    /// The sparse change of a journal entry: its lines when the amount, accounts, class or department differ.
    public struct JournalEntryChange: Encodable, Sendable, Equatable {
        public var TxnDate: String?
        public var Line: [JournalEntryLine]?

        /// True when nothing differs.
        public var isEmpty: Bool { TxnDate == nil && Line == nil }
    }

    /// What must change on `entry` for it to carry `posting`.
    public static func journalEntryChange(_ posting: Posting, creditAccount: String, current entry: JournalEntry) -> JournalEntryChange {
        let wanted = journalEntry(posting, creditAccount: creditAccount)
        let shape = { (lines: [JournalEntryLine]) -> [[String]] in lines.map(journalLineShape) }
        return JournalEntryChange(TxnDate: entry.TxnDate == wanted.TxnDate ? nil : wanted.TxnDate, Line: shape(entry.Line) == shape(wanted.Line) ? nil : wanted.Line)
    }

    /// What of a journal line we set, compared to decide whether an entry needs a change.
    static func journalLineShape(_ line: JournalEntryLine) -> [String] {
        let detail = line.JournalEntryLineDetail
        let entity: String = detail?.Entity.map { "\($0.Type):\($0.EntityRef.value)" } ?? ""
        return [line.Amount.description, detail?.PostingType ?? "", detail?.AccountRef.value ?? "", detail?.ClassRef?.value ?? "", detail?.DepartmentRef?.value ?? "", entity]
    }

    /// A bill's figures as Asana shows them.
    public struct Figures: Sendable, Equatable, Encodable {
        public var amount: Decimal
        public var dueDate: String?
        public var balance: Decimal?
        /// `open`, `partially paid` or `paid`; nil for a journal entry.
        public var status: String?
    }

    /// Open while nothing is paid, partially paid while some balance is left, paid at zero.
    public static func billStatus(total: Decimal, balance: Decimal) -> String {
        if balance <= 0 { return "paid" }
        return balance < total ? "partially paid" : "open"
    }

    /// The figures of a bill.
    public static func figures(_ bill: Bill) -> Figures {
        let total = bill.TotalAmt ?? bill.Line.reduce(0) { $0 + $1.Amount }
        let balance = bill.Balance ?? total
        return Figures(amount: total, dueDate: bill.DueDate, balance: balance, status: billStatus(total: total, balance: balance))
    }

    /// The figures of a journal entry: its debit total.
    public static func figures(_ entry: JournalEntry) -> Figures {
        let debits = entry.Line.filter { $0.JournalEntryLineDetail?.PostingType == "Debit" }.reduce(Decimal(0)) { $0 + $1.Amount }
        return Figures(amount: entry.TotalAmt ?? debits, dueDate: nil, balance: nil, status: nil)
    }

    /// The figures → the mapped Asana fields (by GID).
    public static func figureInputs(_ figures: Figures, fields: QuickBooksAsanaConfig.Fields) -> [String: CustomFieldInput] {
        var inputs: [String: CustomFieldInput] = [fields.amount: .number(figures.amount)]
        if let due = figures.dueDate { inputs[fields.due_date] = .date(due) }
        if let gid = fields.balance, let balance = figures.balance { inputs[gid] = .number(balance) }
        if let status = fields.bill_status, let name = figures.status, let option = status.options[name] { inputs[status.field] = .enumOption(option) }
        return inputs
    }

    /// Whether a bill can still be changed by us: not once paid (fully or in part).
    public static func isSettled(_ bill: Bill) -> Bool {
        let figures = figures(bill)
        return figures.status != "open"
    }

    /// A QuickBooks employee or vendor as people alignment sees it.
    public struct Person: Sendable, Equatable {
        public var id: String
        public var email: String?

        /// Describes an employee or vendor by Id and primary email.
        public init(id: String, email: String?) {
            self.id = id
            self.email = email
        }
    }

    /// Who an Asana person is in QuickBooks, by email (any case): the active employee with that
    /// email, else the vendor (a contractor billed as one); nil when nobody, or more than one of
    /// the same kind, has it, so a cost is never put on a guess.
    public static func person(email: String?, employees: [Person], vendors: [Person]) -> EntityTypeRef? {
        guard let email = emailKey(email) else { return nil }
        for (type, people) in [("Employee", employees), ("Vendor", vendors)] {
            let same = people.filter { emailKey($0.email) == email }
            if same.count == 1 { return EntityTypeRef(type: type, id: same[0].id) }
            if same.count > 1 { return nil }
        }
        return nil
    }

    /// An email as people are matched by it: trimmed (a pasted newline included) and lowercased;
    /// nil when there is none.
    public static func emailKey(_ email: String?) -> String? {
        guard let key = email?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !key.isEmpty else { return nil }
        return key
    }

    /// People on both sides matched by email, and the Asana emails with no match.
    public static func matchPeople(asana users: [Asana.User], quickbooks emails: [String]) -> (matched: [String: String], unmatched: [String]) {
        let known = Set(emails.compactMap(emailKey))
        var matched: [String: String] = [:]
        var unmatched: [String] = []
        for user in users {
            guard let email = emailKey(user.email) else { continue }
            if known.contains(email) { matched[user.gid] = email } else { unmatched.append(email) }
        }
        return (matched, unmatched.sorted())
    }

    /// A digest of what was written or asked for, so an unchanged mapping writes nothing and
    /// our own writes do not come back as new work.
    public static func contentHash<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Signature.sha256Hex(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
    }
}
