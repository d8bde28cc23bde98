import ConnectorKit
import Foundation

/// QuickBooks operations a user can run one by one, from the CLI or as engine jobs, described
/// as data. Every create carries a `requestid`: `--request-id`, or one derived from the flags,
/// so running the same command again returns the same record (api digest 1.2).
public enum QuickBooksActions {
    /// Every action and trigger.
    public static let all: [SystemAction] = [
        listVendors, createVendor, listCustomers, createCustomer, listBills, getBill, createBill, listJournalEntries, createJournalEntry,
        listClasses, listDepartments, listAccounts, billChanged,
    ]

    static let requestID = ActionArgument("request-id", help: "The idempotency key sent as requestid (default: derived from the other flags).")
    static let changedSince = ActionArgument("changed-since", .day, help: "Only records changed on or after this day (YYYY-MM-DD, UTC).")

    static let listVendors = SystemAction(ActionDescriptor(name: "list-vendors", summary: "List vendors, optionally changed since a day.", arguments: [changedSince])) { call in
        ActionResult("vendors", try await client(call).vendors(changedAfter: try call.arguments.changedSince()).collect().map(NameSummary.init))
    }

    static let createVendor = SystemAction(ActionDescriptor(name: "create-vendor", summary: "Create a vendor (DisplayName must be unique across vendors and customers).",
                                                            arguments: nameArguments)) { call in
        ActionResult("vendors", [NameSummary(try await client(call).createVendor(try call.arguments.nameDraft(), requestID: key(call, "create-vendor")))])
    }

    static let listCustomers = SystemAction(ActionDescriptor(name: "list-customers", summary: "List customers, optionally changed since a day.", arguments: [changedSince])) { call in
        ActionResult("customers", try await client(call).customers(changedAfter: try call.arguments.changedSince()).collect().map(NameSummary.init))
    }

    static let createCustomer = SystemAction(ActionDescriptor(name: "create-customer", summary: "Create a customer (DisplayName must be unique across vendors and customers).",
                                                              arguments: nameArguments)) { call in
        ActionResult("customers", [NameSummary(try await client(call).createCustomer(try call.arguments.nameDraft(), requestID: key(call, "create-customer")))])
    }

    static let nameArguments = [
        ActionArgument("display-name", required: true, help: "The name shown in QuickBooks."),
        ActionArgument("company", help: "Company name."), ActionArgument("given-name", help: "First name."), ActionArgument("family-name", help: "Last name."),
        ActionArgument("email", help: "Primary email."), ActionArgument("currency", .currency, help: "ISO currency code (multicurrency companies)."),
        requestID,
    ]

    static let listBills = SystemAction(ActionDescriptor(name: "list-bills", summary: "List bills, optionally changed since a day.", arguments: [changedSince])) { call in
        ActionResult("bills", try await client(call).bills(changedAfter: try call.arguments.changedSince()).collect().map(BillSummary.init))
    }

    static let getBill = SystemAction(ActionDescriptor(name: "get-bill", summary: "Read one bill.", arguments: [
        ActionArgument("id", required: true, help: "The bill's Id."),
    ])) { call in
        ActionResult("bills", [BillSummary(try await client(call).bill(id: try call.arguments.required("id")))])
    }

    static let createBill = SystemAction(ActionDescriptor(name: "create-bill", summary: "Create a bill with account-based expense lines.", arguments: [
        ActionArgument("vendor", required: true, help: "The vendor's Id."),
        ActionArgument("line", required: true, repeatable: true, help: "A line \"AMOUNT|ACCOUNT ID|DESCRIPTION|CLASS ID\" (class optional; repeatable)."),
        ActionArgument("due-date", .day, help: "Due date."), ActionArgument("txn-date", .day, help: "Bill date."),
        ActionArgument("doc-number", help: "Reference number (at most 21 characters)."), ActionArgument("department", help: "Department (location) Id."),
        ActionArgument("currency", .currency, help: "ISO currency code (multicurrency companies)."), requestID,
    ])) { call in
        let arguments = call.arguments
        let lines = try arguments.expenseLines("line").map { BillLine(amount: $0.amount, account: $0.account, description: $0.description, classRef: $0.classRef) }
        let bill = Bill(vendor: try arguments.required("vendor"), lines: lines, txnDate: try arguments.day("txn-date"), dueDate: try arguments.day("due-date"),
                        docNumber: arguments["doc-number"], department: arguments["department"], currency: try arguments.currency("currency"))
        return ActionResult("bills", [BillSummary(try await client(call).createBill(bill, requestID: key(call, "create-bill")))])
    }

    static let listJournalEntries = SystemAction(ActionDescriptor(name: "list-journal-entries", summary: "List journal entries, optionally changed since a day.", arguments: [changedSince])) { call in
        ActionResult("journal_entries", try await client(call).journalEntries(changedAfter: try call.arguments.changedSince()).collect().map(JournalEntrySummary.init))
    }

    static let createJournalEntry = SystemAction(ActionDescriptor(name: "create-journal-entry", summary: "Create a journal entry; debits and credits must balance.", arguments: [
        ActionArgument("debit", required: true, repeatable: true, help: "A debit \"AMOUNT|ACCOUNT ID|DESCRIPTION|CLASS ID\" (repeatable)."),
        ActionArgument("credit", required: true, repeatable: true, help: "A credit \"AMOUNT|ACCOUNT ID|DESCRIPTION|CLASS ID\" (repeatable)."),
        ActionArgument("department", help: "Department (location) Id for every line."),
        ActionArgument("txn-date", .day, help: "Entry date."), ActionArgument("doc-number", help: "Reference number."), requestID,
    ])) { call in
        let arguments = call.arguments
        let department = arguments["department"]
        func lines(_ flag: String, _ posting: String) throws -> [JournalEntryLine] {
            try arguments.expenseLines(flag).map { JournalEntryLine(postingType: posting, amount: $0.amount, account: $0.account, description: $0.description, classRef: $0.classRef, department: department) }
        }
        let entry = JournalEntry(lines: try lines("debit", "Debit") + lines("credit", "Credit"), txnDate: try arguments.day("txn-date"), docNumber: arguments["doc-number"])
        return ActionResult("journal_entries", [JournalEntrySummary(try await client(call).createJournalEntry(entry, requestID: key(call, "create-journal-entry")))])
    }

    static let listClasses = SystemAction(ActionDescriptor(name: "list-classes", summary: "List classes.")) { call in
        ActionResult("classes", try await client(call).classes().collect().map { ListSummary(record: .class, id: $0.Id, name: $0.FullyQualifiedName ?? $0.Name, active: $0.Active, detail: nil) })
    }

    static let listDepartments = SystemAction(ActionDescriptor(name: "list-departments", summary: "List departments (locations).")) { call in
        ActionResult("departments", try await client(call).departments().collect().map { ListSummary(record: .department, id: $0.Id, name: $0.FullyQualifiedName ?? $0.Name, active: $0.Active, detail: nil) })
    }

    static let listAccounts = SystemAction(ActionDescriptor(name: "list-accounts", summary: "List accounts, optionally of one type.", arguments: [
        ActionArgument("type", help: "Only this AccountType, e.g. Expense."),
    ])) { call in
        ActionResult("accounts", try await client(call).accounts(type: call.arguments["type"]).collect().map {
            ListSummary(record: .account, id: $0.Id, name: $0.FullyQualifiedName ?? $0.Name, active: $0.Active, detail: $0.AccountType)
        })
    }

    static let billChanged = SystemAction(ActionDescriptor(name: "bill-changed", summary: "A trigger: every bill changed since the last run (CDC), read whole.",
                                                           triggerCursor: { _ in "trigger:bill-changed" })) { call in
        let quickbooks = client(call)
        let page = try await QuickBooksPoller(record: .bill, client: quickbooks).poll(cursor: call.cursor, now: call.now)
        let ids = page.events.filter { $0.action != .deleted }.map(\.ref.id)
        return ActionResult("changed_bills", try await quickbooks.bills(ids: ids).map(BillSummary.init), cursor: page.cursor)
    }

    private static func client(_ call: ActionCall) -> QuickBooksClient {
        QuickBooksClient(pipeline: call.pipeline, connection: call.connection)
    }

    /// `--request-id`, or a digest of the action, the connection and every flag: the same
    /// command run twice sends the same requestid.
    static func key(_ call: ActionCall, _ action: String) -> String {
        if let given = call.arguments["request-id"], !given.isEmpty { return given }
        let flags = call.arguments.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + call.arguments.lists.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: "\u{1F}"))" }
        return "mlc-" + Signature.sha256Hex(([action, call.connection.id] + flags).joined(separator: "\u{1E}")).prefix(32)
    }
}

extension ActionArguments {
    /// `--changed-since` as the start of that UTC day.
    func changedSince() throws -> Date? {
        try day("changed-since").flatMap { QuickBooksTime.parse($0 + "T00:00:00Z") }
    }

    /// The vendor or customer the name flags describe.
    func nameDraft() throws -> NameDraft {
        NameDraft(displayName: try required("display-name"), companyName: self["company"], givenName: self["given-name"], familyName: self["family-name"],
                  email: self["email"], currency: try currency("currency"))
    }

    /// `--line "103.55|64|Consulting|5000000000000012345"`: amount, account, description, class.
    func expenseLines(_ name: String) throws -> [(amount: Decimal, account: String, description: String?, classRef: String?)] {
        let texts = lists[name] ?? []
        guard !texts.isEmpty else { throw ConnectorError.validation(field: "--\(name)", message: "give at least one --\(name) \"AMOUNT|ACCOUNT ID|DESCRIPTION|CLASS ID\"") }
        return try texts.enumerated().map { index, text in
            let parts = text.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (2...4).contains(parts.count), !parts[1].isEmpty else {
                throw ConnectorError.validation(field: "--\(name)[\(index)]", message: "'\(text)' must be AMOUNT|ACCOUNT ID|DESCRIPTION|CLASS ID, e.g. \"103.55|64|Consulting\"")
            }
            let amount = try Money.decimal(parsing: parts[0], field: "--\(name)[\(index)] amount")
            func optional(_ at: Int) -> String? { parts.count > at && !parts[at].isEmpty ? parts[at] : nil }
            return (amount, parts[1], optional(2), optional(3))
        }
    }
}
