import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Store

/// `ml-connector freshbooks <action>`: one FreshBooks operation, now or queued as a job.
struct FreshBooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freshbooks",
        abstract: "Run a FreshBooks action: \(FreshBooksActions.names.joined(separator: ", ")).",
        discussion: """
        Examples:
          ml-connector freshbooks list-clients --connection fb-acme --email ops@client.test
          ml-connector freshbooks create-invoice --connection fb-acme --client 12345 --number AGY-0001 --currency USD --line "Design|10|125.50"
          ml-connector freshbooks invoice-updated --connection fb-acme     (one activation: every invoice changed since the last)
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The action.")
    var action: String

    @Option(help: "The FreshBooks connection id.")
    var connection: String

    @Flag(help: "Queue the action as a job for a running server instead of running it now.")
    var queue = false

    @Option(help: "Client email (list-clients filter, create-client).") var email: String?
    @Option(help: "Client name \"First Last\" (create-client).") var name: String?
    @Option(help: "Organization (create-client).") var organization: String?
    @Option(help: "Street (create-client).") var street: String?
    @Option(help: "City (create-client).") var city: String?
    @Option(help: "Province or state (create-client).") var province: String?
    @Option(help: "Postal code (create-client).") var postalCode: String?
    @Option(help: "Country (create-client).") var country: String?
    @Option(help: "ISO currency code.") var currency: String?
    @Option(help: "Only records updated on or after this day, YYYY-MM-DD (US/Eastern, FreshBooks' granularity).") var updatedSince: String?
    @Option(help: "Client id.") var client: String?
    @Option(help: "Invoice v3 status filter (draft, sent, viewed, partial, paid, overdue).") var status: String?
    @Option(help: "Our invoice number (create-invoice; the key that makes it idempotent).") var number: String?
    @Option(help: "An invoice line \"NAME|QTY|UNIT PRICE\" (repeatable).") var line: [String] = []
    @Option(help: "Days until due.") var dueOffsetDays: String?
    @Option(help: "PO number.") var poNumber: String?
    @Option(help: "Notes.") var notes: String?
    @Option(help: "Terms.") var terms: String?
    @Option(help: "Amount, a decimal such as 54.00 (create-expense).") var amount: String?
    @Option(help: "Expense category id.") var category: String?
    @Option(help: "Expense date, YYYY-MM-DD.") var date: String?
    @Option(help: "Expense vendor.") var vendor: String?
    @Option(help: "Project id to bill the expense back to.") var project: String?
    @Option(help: "Invoice id (mark-invoice-sent).") var invoice: String?

    func validate() throws {
        guard FreshBooksActions.names.contains(action) else {
            throw ValidationError("'\(action)' is not a FreshBooks action; use one of: \(FreshBooksActions.names.joined(separator: ", "))")
        }
    }

    var arguments: ActionArguments {
        let pairs: [(String, String?)] = [
            ("email", email), ("name", name), ("organization", organization), ("street", street), ("city", city), ("province", province), ("postal-code", postalCode),
            ("country", country), ("currency", currency), ("updated-since", updatedSince), ("client", client), ("status", status), ("number", number),
            ("due-offset-days", dueOffsetDays), ("po-number", poNumber), ("notes", notes), ("terms", terms), ("amount", amount), ("category", category),
            ("date", date), ("vendor", vendor), ("project", project), ("invoice", invoice),
        ]
        return ActionArguments(values: Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } }), lists: line.isEmpty ? [:] : ["line": line])
    }

    func run() async throws {
        let run = SystemActionRun(global: global, system: .freshbooks, connectionID: connection, action: action, arguments: arguments, queue: queue,
                                  triggerFeed: action == "invoice-updated" ? "trigger:invoice-updated" : nil)
        try await run.run { connection, pipeline, cursor in
            let result = try await FreshBooksActions(client: FreshBooksClient(pipeline: pipeline, connection: connection)).run(action, arguments: arguments, cursor: cursor)
            var next: String?
            if case .trigger(_, let cursor) = result { next = cursor }
            return .init(result: result, cursor: next, table: result.table)
        }
    }
}
