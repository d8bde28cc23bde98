import ConnectorKit
import Foundation

/// FreshBooks operations a user can run one by one, from the CLI or as engine jobs. Arguments
/// arrive as text (flags or a job payload) and every bad one is refused naming its flag.
public struct FreshBooksActions: Sendable {
    /// The client to act through.
    public let client: FreshBooksClient

    /// Creates the action runner.
    public init(client: FreshBooksClient) {
        self.client = client
    }

    /// The actions, by name.
    public static let names = ["list-clients", "create-client", "list-invoices", "create-invoice", "create-expense", "mark-invoice-sent", "invoice-updated"]

    /// Runs action `name` with `arguments`; the result is JSON-encodable.
    public func run(_ name: String, arguments: ActionArguments, cursor: String? = nil, now: Date = Date()) async throws -> ActionResult {
        switch name {
        case "list-clients":
            let search = AccountingSearch(updatedSinceDay: try arguments.day("updated-since"), email: arguments["email"])
            return .clients(try await client.clients(search).collect().map(ClientSummary.init))
        case "create-client":
            guard arguments["email"] != nil || arguments["organization"] != nil || arguments["name"] != nil else {
                throw ConnectorError.validation(field: "--email/--organization/--name", message: "give at least one of --email, --organization or --name")
            }
            let names = (arguments["name"] ?? "").split(separator: " ", maxSplits: 1).map(String.init)
            let draft = ClientDraft(firstName: names.first, lastName: names.count > 1 ? names[1] : nil, organization: arguments["organization"], email: arguments["email"],
                                    currencyCode: try arguments.currency("currency")?.code, street: arguments["street"], city: arguments["city"],
                                    province: arguments["province"], postalCode: arguments["postal-code"], country: arguments["country"])
            return .clients([ClientSummary(try await client.createClient(draft))])
        case "list-invoices":
            let search = AccountingSearch(updatedSinceDay: try arguments.day("updated-since"), clientID: try arguments.int("client"), v3Status: arguments["status"])
            return .invoices(try await client.invoices(search).collect().map(InvoiceSummary.init))
        case "create-invoice":
            let currency = try arguments.currency("currency") ?? CurrencyCode("USD")
            let lines = try arguments.lines("line", currency: currency)
            let number = try arguments.required("number")
            let draft = InvoiceDraft(customerID: try arguments.requiredInt("client"), invoiceNumber: number, currencyCode: currency.code,
                                     dueOffsetDays: try arguments.int("due-offset-days"), poNumber: arguments["po-number"], notes: arguments["notes"], terms: arguments["terms"], lines: lines)
            // A one-off create from the CLI looks the number up first: running it twice is safe.
            return .invoices([InvoiceSummary(try await client.createInvoice(draft, previousAttemptUncertain: true))])
        case "create-expense":
            let currency = try arguments.currency("currency") ?? CurrencyCode("USD")
            let amount = try Money(parsing: try arguments.required("amount"), currency: currency, field: "--amount")
            let draft = ExpenseDraft(categoryID: try arguments.requiredInt("category"), date: try arguments.day("date") ?? FreshBooksWire.day(now), amount: amount,
                                     vendor: arguments["vendor"], notes: arguments["notes"], clientID: try arguments.int("client"), projectID: try arguments.int("project"))
            return .expenses([ExpenseSummary(try await client.createExpense(draft))])
        case "mark-invoice-sent":
            return .invoices([InvoiceSummary(try await client.markInvoiceSent(id: try arguments.requiredInt("invoice")))])
        case "invoice-updated":
            let page = try await FreshBooksPoller(resource: .invoices, client: client).poll(cursor: cursor, now: now)
            var invoices: [InvoiceSummary] = []
            for event in page.events {
                if let id = Int(event.ref.id) { invoices.append(InvoiceSummary(try await client.invoice(id: id))) }
            }
            return .trigger(invoices: invoices, cursor: page.cursor)
        default:
            throw ConnectorError.validation(field: "action", message: "'\(name)' is not a FreshBooks action; use one of: \(Self.names.joined(separator: ", "))")
        }
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

/// What an action produced.
public enum ActionResult: Sendable, Encodable {
    case clients([ClientSummary])
    case invoices([InvoiceSummary])
    case expenses([ExpenseSummary])
    /// One activation of a trigger: every record changed since the last, and the new cursor.
    case trigger(invoices: [InvoiceSummary], cursor: String)

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .clients(let clients): try container.encode(["clients": clients])
        case .invoices(let invoices): try container.encode(["invoices": invoices])
        case .expenses(let expenses): try container.encode(["expenses": expenses])
        case .trigger(let invoices, _): try container.encode(["changed_invoices": invoices])
        }
    }

    /// The first record written or read, for the audit trail.
    public var firstRef: String? {
        switch self {
        case .clients(let clients): clients.first.map { "freshbooks:client:\($0.id)" }
        case .invoices(let invoices), .trigger(let invoices, _): invoices.first.map { "freshbooks:invoice:\($0.id)" }
        case .expenses(let expenses): expenses.first.map { "freshbooks:expense:\($0.id)" }
        }
    }

    /// Rows for a table: headers then cells.
    public var table: (headers: [String], rows: [[String]]) {
        switch self {
        case .clients(let clients):
            (["ID", "NAME", "ORGANIZATION", "EMAIL", "UPDATED"], clients.map { ["\($0.id)", $0.name, $0.organization ?? "", $0.email ?? "", $0.updated ?? ""] })
        case .invoices(let invoices), .trigger(let invoices, _):
            (["ID", "NUMBER", "CLIENT", "STATUS", "AMOUNT", "OUTSTANDING", "UPDATED"], invoices.map { ["\($0.id)", $0.number, "\($0.client)", $0.status, $0.amount ?? "", $0.outstanding ?? "", $0.updated ?? ""] })
        case .expenses(let expenses):
            (["ID", "DATE", "AMOUNT", "VENDOR", "CLIENT", "PROJECT"], expenses.map { ["\($0.id)", $0.date ?? "", $0.amount, $0.vendor ?? "", "\($0.client)", "\($0.project)"] })
        }
    }
}

/// A client as actions show it (times in UTC ISO 8601).
public struct ClientSummary: Codable, Sendable, Equatable {
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
public struct InvoiceSummary: Codable, Sendable, Equatable {
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
public struct ExpenseSummary: Codable, Sendable, Equatable {
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
