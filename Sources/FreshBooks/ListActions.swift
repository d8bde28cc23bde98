import ConnectorKit
import Foundation

/// Bulk reads beside `list-clients` and `list-invoices`: projects, expenses and payments, paged
/// at FreshBooks' largest page (100, digest A5) and streamed.
extension FreshBooksActions {
    static let listProjects = SystemAction(ActionDescriptor(name: "list-projects", summary: "List projects, optionally by client, completion or change time.", safeToRepeat: true, arguments: [
        ActionArgument("client", .integer, help: "Only this client's projects."),
        ActionArgument("complete", .boolean, help: "true or false."),
        ActionArgument("updated-since", .day, help: "Only projects changed on or after this day (YYYY-MM-DD, UTC)."),
    ], streams: true)) { call in
        let arguments = call.arguments
        let since = try arguments.day("updated-since").flatMap { ISO8601DateFormatter().vendorDate(from: $0 + "T00:00:00Z") }
        let search = ProjectSearch(clientID: try arguments.int("client"), complete: try arguments.bool("complete"), updatedSince: since)
        return try await call.list("projects", try client(call).projects(search).map(ProjectSummary.init))
    }

    static let listExpenses = SystemAction(ActionDescriptor(name: "list-expenses", summary: "List expenses, optionally by client or change day.", safeToRepeat: true, arguments: [
        ActionArgument("updated-since", .day, help: "Only expenses changed on or after this day (YYYY-MM-DD)."),
        ActionArgument("client", .integer, help: "Only this client's expenses."),
    ], streams: true)) { call in
        let search = AccountingSearch(updatedSinceDay: try call.arguments.day("updated-since"), clientID: try call.arguments.int("client"))
        return try await call.list("expenses", try client(call).expenses(search).map(ExpenseSummary.init))
    }

    static let listPayments = SystemAction(ActionDescriptor(name: "list-payments", summary: "List payments, optionally by client or change day.", safeToRepeat: true, arguments: [
        ActionArgument("updated-since", .day, help: "Only payments changed on or after this day (YYYY-MM-DD)."),
        ActionArgument("client", .integer, help: "Only this client's payments."),
    ], streams: true)) { call in
        let search = AccountingSearch(updatedSinceDay: try call.arguments.day("updated-since"), clientID: try call.arguments.int("client"))
        return try await call.list("payments", try client(call).payments(search).map(PaymentSummary.init))
    }
}

/// A project as actions show it.
public struct ProjectSummary: Codable, Sendable, Equatable, ActionRecord {
    public var id: Int
    public var title: String
    public var client: Int?
    public var due: String?
    public var complete: Bool
    public var updated: String?

    init(_ project: Project) {
        id = project.id
        title = project.title
        client = project.client_id
        due = project.due_date
        complete = project.complete ?? false
        updated = project.updated.map { ISO8601DateFormatter().string(from: $0) }
    }

    public static let columns = ["ID", "TITLE", "CLIENT", "DUE", "COMPLETE", "UPDATED"]
    public var row: [String] { ["\(id)", title, client.map(String.init) ?? "", due ?? "", complete ? "yes" : "no", updated ?? ""] }
    public var ref: ExternalRef { .freshbooks(.project, id) }
}

/// A payment as actions show it.
public struct PaymentSummary: Codable, Sendable, Equatable, ActionRecord {
    public var id: Int
    public var invoice: Int
    public var client: Int?
    public var amount: String
    public var date: String?
    public var type: String?

    init(_ payment: Payment) {
        id = payment.id
        invoice = payment.invoiceID
        client = payment.clientID
        amount = Money.string(payment.amount.amount) + " " + (payment.amount.code ?? "")
        date = payment.date
        type = payment.type
    }

    public static let columns = ["ID", "INVOICE", "CLIENT", "AMOUNT", "DATE", "TYPE"]
    public var row: [String] { ["\(id)", "\(invoice)", client.map(String.init) ?? "", amount, date ?? "", type ?? ""] }
    public var ref: ExternalRef { .freshbooks(.payment, id) }
}
