import ConnectorKit
import Flows
import Foundation
import Testing

@Suite struct FreshBooksAsanaConfigTests {
    static let valid = """
    name: agency-billing
    kind: freshbooks-asana
    connections: { freshbooks: fb-acme, asana: asana-acme }
    schedule: { poll: 5m }
    asana:
      workspace: "1200000000000001"
      team: "1200000000000002"
      fields:
        billable_amount: "1200000000000101"
        hours: "1200000000000102"
        rate: "1200000000000103"
        expense_amount: "1200000000000104"
        cost_code: "1200000000000105"
        billing_status:
          field: "1200000000000106"
          options: { draft: "201", sent: "202", viewed: "203", partial: "204", paid: "205", overdue: "206" }
    freshbooks:
      invoice: { group: per-project-month, number_prefix: "AGY-", currency: USD, mark_sent: false }
      expense: { category: 2 }
    people: { match: email }
    """

    @Test func theDesignExampleLoads() throws {
        let config = try FreshBooksAsanaConfig.load(yaml: Self.valid)
        #expect(config.connections.freshbooks == "fb-acme" && config.asana.fields.billing_status?.options["paid"] == "205")
        #expect(try config.pollInterval() == .seconds(300))
        #expect(config.fieldRequirements.map(\.key) == ["asana.fields.billable_amount", "asana.fields.hours", "asana.fields.rate", "asana.fields.expense_amount", "asana.fields.billing_status"])
    }

    @Test(arguments: [
        ("group: per-project-month", "group: weekly", "freshbooks.invoice.group"),
        ("currency: USD", "currency: dollars", "freshbooks.invoice.currency"),
        ("poll: 5m", "poll: 5 minutes", "schedule.poll"),
        ("poll: 5m", "poll: 5s", "schedule.poll"),
        ("overdue: \"206\" }", "}", "asana.fields.billing_status.options"),
        ("workspace: \"1200000000000001\"", "workspace: \"acme\"", "asana.workspace"),
        ("name: agency-billing", "name: Agency Billing", "name"),
        ("kind: freshbooks-asana", "kind: quickbooks-asana", "kind"),
        ("connections: { freshbooks: fb-acme, asana: asana-acme }", "connections: { freshbooks: fb-acme }", "connections.asana"),
        ("expense: { category: 2 }", "expense: { category: two }", "freshbooks.expense.category"),
        ("match: email", "match: name", "people.match"),
        ("    hours: \"1200000000000102\"\n", "", "asana.fields.hours"),
        ("poll: 5m", "poll: 99999999999999999999h", "schedule.poll"),
        ("poll: 5m", "poll: -1m", "schedule.poll"),
        ("expense: { category: 2 }", "expense: { category: 1e20 }", "freshbooks.expense.category"),
        ("people: { match: email }", "people: { match: email }\n#" + String(repeating: "x", count: 300_000), "file"),
    ])
    func aBadKeyIsNamed(_ original: String, _ replacement: String, _ key: String) throws {
        #expect(try refusedKey(Self.valid, replacing: original, with: replacement) { _ = try FreshBooksAsanaConfig.load(yaml: $0) } == key)
    }
}
