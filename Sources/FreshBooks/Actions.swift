import ConnectorKit
import Foundation

/// FreshBooks operations a user can run one by one, from the CLI or as engine jobs, described
/// as data; arguments are checked against the descriptors before any call.
public enum FreshBooksActions {
    /// Every action and trigger.
    public static let all: [SystemAction] = [listClients, createClient, listInvoices, listProjects, listExpenses, listPayments, createInvoice, createExpense, markInvoiceSent, invoiceUpdated]

    static let listClients = SystemAction(ActionDescriptor(name: "list-clients", summary: "List clients, optionally changed since a day or by email.", safeToRepeat: true, arguments: [
        ActionArgument("updated-since", .day, help: "Only clients changed on or after this day (YYYY-MM-DD)."),
        ActionArgument("email", help: "Only the client with this email."),
    ], streams: true)) { call in
        let search = AccountingSearch(updatedSinceDay: try call.arguments.day("updated-since"), email: call.arguments["email"])
        return try await call.list("clients", try client(call).clients(search).map(ClientSummary.init))
    }

    static let createClient = SystemAction(ActionDescriptor(name: "create-client", summary: "Create a client (give at least one of --email, --organization, --name).", arguments: [
        ActionArgument("email", help: "The client's email."),
        ActionArgument("organization", help: "The client's organization."),
        ActionArgument("name", help: "First and last name."),
        ActionArgument("currency", .currency, help: "ISO currency code, e.g. USD."),
        ActionArgument("street", help: "Street address."), ActionArgument("city", help: "City."), ActionArgument("province", help: "Province or state."),
        ActionArgument("postal-code", help: "Postal code."), ActionArgument("country", help: "Country."),
    ])) { call in
        let arguments = call.arguments
        guard arguments["email"] != nil || arguments["organization"] != nil || arguments["name"] != nil else {
            throw ConnectorError.validation(field: "--email/--organization/--name", message: "give at least one of --email, --organization or --name")
        }
        let names = (arguments["name"] ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        let draft = ClientDraft(firstName: names.first, lastName: names.count > 1 ? names[1] : nil, organization: arguments["organization"], email: arguments["email"],
                                currencyCode: try arguments.currency("currency")?.code, street: arguments["street"], city: arguments["city"],
                                province: arguments["province"], postalCode: arguments["postal-code"], country: arguments["country"])
        return ActionResult("clients", [ClientSummary(try await client(call).createClient(draft))])
    }

    static let listInvoices = SystemAction(ActionDescriptor(name: "list-invoices", summary: "List invoices by client, status or change day.", safeToRepeat: true, arguments: [
        ActionArgument("updated-since", .day, help: "Only invoices changed on or after this day (YYYY-MM-DD)."),
        ActionArgument("client", .integer, help: "Only this client's invoices."),
        ActionArgument("status", help: "Only invoices in this v3 status (draft, sent, paid…)."),
    ], streams: true)) { call in
        let search = AccountingSearch(updatedSinceDay: try call.arguments.day("updated-since"), clientID: try call.arguments.int("client"), v3Status: call.arguments["status"])
        return try await call.list("invoices", try client(call).invoices(search).map(InvoiceSummary.init))
    }

    static let createInvoice = SystemAction(ActionDescriptor(name: "create-invoice", summary: "Create a draft invoice; running it again with the same --number finds the same invoice.", safeToRepeat: true, arguments: [
        ActionArgument("client", .integer, required: true, help: "The client id."),
        ActionArgument("number", required: true, help: "The invoice number (also its idempotency key)."),
        ActionArgument("line", required: true, repeatable: true, help: "A line \"NAME|QTY|UNIT PRICE\" (repeatable)."),
        ActionArgument("currency", .currency, help: "ISO currency code (default USD)."),
        ActionArgument("due-offset-days", .integer, help: "Days until due."),
        ActionArgument("po-number", help: "Purchase order number."), ActionArgument("notes", help: "Notes."), ActionArgument("terms", help: "Terms."),
    ])) { call in
        let arguments = call.arguments
        let currency = try arguments.currency("currency") ?? CurrencyCode("USD")
        let draft = InvoiceDraft(customerID: try arguments.requiredInt("client"), invoiceNumber: try arguments.required("number"), currencyCode: currency.code,
                                 dueOffsetDays: try arguments.int("due-offset-days"), poNumber: arguments["po-number"], notes: arguments["notes"], terms: arguments["terms"],
                                 lines: try arguments.lines("line", currency: currency))
        // A one-off create looks the number up first: running it twice is safe.
        return ActionResult("invoices", [InvoiceSummary(try await client(call).createInvoice(draft, previousAttemptUncertain: true))])
    }

    static let createExpense = SystemAction(ActionDescriptor(name: "create-expense", summary: "Record an expense, optionally billed to a client and project.", arguments: [
        ActionArgument("category", .integer, required: true, help: "The expense category id."),
        ActionArgument("amount", .decimal, required: true, help: "The amount, e.g. 42.50."),
        ActionArgument("currency", .currency, help: "ISO currency code (default USD)."),
        ActionArgument("date", .day, help: "The day (default today)."),
        ActionArgument("vendor", help: "Who was paid."), ActionArgument("notes", help: "Notes."),
        ActionArgument("client", .integer, help: "Bill it to this client."), ActionArgument("project", .integer, help: "And this project."),
    ])) { call in
        let arguments = call.arguments
        let currency = try arguments.currency("currency") ?? CurrencyCode("USD")
        let amount = try Money(parsing: try arguments.required("amount"), currency: currency, field: "--amount")
        let draft = ExpenseDraft(categoryID: try arguments.requiredInt("category"), date: try arguments.day("date") ?? FreshBooksWire.day(call.now), amount: amount,
                                 vendor: arguments["vendor"], notes: arguments["notes"], clientID: try arguments.int("client"), projectID: try arguments.int("project"))
        return ActionResult("expenses", [ExpenseSummary(try await client(call).createExpense(draft))])
    }

    static let markInvoiceSent = SystemAction(ActionDescriptor(name: "mark-invoice-sent", summary: "Mark an invoice sent (without emailing it).", safeToRepeat: true, arguments: [
        ActionArgument("invoice", .integer, required: true, help: "The invoice id."),
    ])) { call in
        ActionResult("invoices", [InvoiceSummary(try await client(call).markInvoiceSent(id: try call.arguments.requiredInt("invoice")))])
    }

    static let invoiceUpdated = SystemAction(ActionDescriptor(name: "invoice-updated", summary: "A trigger: every invoice changed since the last run.",
                                                              triggerCursor: { _ in "trigger:invoice-updated" })) { call in
        let freshbooks = client(call)
        let page = try await FreshBooksPoller(resource: .invoices, client: freshbooks).poll(cursor: call.cursor, now: call.now)
        var invoices: [InvoiceSummary] = []
        for event in page.events {
            guard let id = Int(event.ref.id) else { continue }
            // The poll listed each invoice whole; only an event without it reads the invoice.
            if let listed = event.record(as: Invoice.self, currentAt: call.now) {
                invoices.append(InvoiceSummary(listed))
            } else {
                invoices.append(InvoiceSummary(try await freshbooks.invoice(id: id)))
            }
        }
        return ActionResult("changed_invoices", invoices, cursor: page.cursor)
    }

    static func client(_ call: ActionCall) -> FreshBooksClient {
        FreshBooksClient(pipeline: call.pipeline, connection: call.connection)
    }
}

extension ActionArguments {
    /// `--line "Design work|10|125.50"`: name, quantity, unit price.
    func lines(_ name: String, currency: CurrencyCode) throws -> [InvoiceLine] {
        let texts = lists[name] ?? []
        guard !texts.isEmpty else { throw ConnectorError.validation(field: "--\(name)", message: "give at least one --\(name) \"NAME|QTY|UNIT PRICE\"") }
        return try texts.enumerated().map { index, text in
            let parts = text.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, !parts[0].isEmpty else {
                throw ConnectorError.validation(field: "--\(name)[\(index)]", message: "'\(text)' must be NAME|QTY|UNIT PRICE, e.g. \"Design|10|125.50\"")
            }
            let quantity = try Money.decimal(parsing: parts[1], field: "--\(name)[\(index)] quantity")
            let price = try Money(parsing: parts[2], currency: currency, field: "--\(name)[\(index)] unit price")
            return InvoiceLine(name: parts[0], quantity: quantity, unitCost: price)
        }
    }
}

/// A client as actions show it (times in UTC ISO 8601).
public struct ClientSummary: Codable, Sendable, Equatable, ActionRecord {
    public var id: Int
    public var name: String
    public var organization: String?
    public var email: String?
    public var updated: String?

    init(_ client: Client) {
        id = client.id
        name = [client.firstName, client.lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        organization = client.organization
        email = client.email
        updated = client.updated.map { ISO8601DateFormatter().string(from: $0) }
    }
}

/// An invoice as actions show it.
public struct InvoiceSummary: Codable, Sendable, Equatable, ActionRecord {
    public var id: Int
    public var number: String
    public var client: Int
    public var status: String
    public var amount: String?
    public var outstanding: String?
    public var currency: String
    public var updated: String?

    init(_ invoice: Invoice) {
        id = invoice.id
        number = invoice.invoiceNumber
        client = invoice.customerID
        status = invoice.v3Status
        amount = invoice.amount.map { Money.string($0.amount) }
        outstanding = invoice.outstanding.map { Money.string($0.amount) }
        currency = invoice.currencyCode
        updated = invoice.updated.map { ISO8601DateFormatter().string(from: $0) }
    }
}

/// An expense as actions show it.
public struct ExpenseSummary: Codable, Sendable, Equatable, ActionRecord {
    public var id: Int
    public var date: String?
    public var amount: String
    public var vendor: String?
    public var client: Int
    public var project: Int

    init(_ expense: Expense) {
        id = expense.id
        date = expense.date
        amount = Money.string(expense.amount.amount) + " " + (expense.amount.code ?? "")
        vendor = expense.vendor
        client = expense.clientID
        project = expense.projectID
    }
}

extension ClientSummary {
    public static let columns = ["ID", "NAME", "ORGANIZATION", "EMAIL", "UPDATED"]
    public var row: [String] { ["\(id)", name, organization ?? "", email ?? "", updated ?? ""] }
    public var ref: ExternalRef { .freshbooks(.client, id) }
}

extension InvoiceSummary {
    public static let columns = ["ID", "NUMBER", "CLIENT", "STATUS", "AMOUNT", "OUTSTANDING", "UPDATED"]
    public var row: [String] { ["\(id)", number, "\(client)", status, amount ?? "", outstanding ?? "", updated ?? ""] }
    public var ref: ExternalRef { .freshbooks(.invoice, id) }
}

extension ExpenseSummary {
    public static let columns = ["ID", "DATE", "AMOUNT", "VENDOR", "CLIENT", "PROJECT"]
    public var row: [String] { ["\(id)", date ?? "", amount, vendor ?? "", "\(client)", "\(project)"] }
    public var ref: ExternalRef { .freshbooks(.expense, id) }
}
