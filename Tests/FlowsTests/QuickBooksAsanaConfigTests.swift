import ConnectorKit
import Flows
import Foundation
import Testing

@Suite struct QuickBooksAsanaConfigTests {
    static let valid = """
    name: services-costs
    kind: quickbooks-asana
    connections: { quickbooks: qbo-firm, asana: asana-firm }
    schedule: { poll: 2m }
    asana:
      workspace: "1200000000000001"
      projects: ["1200000000000002"]
      fields:
        vendor: "1200000000000101"
        amount: "1200000000000102"
        due_date: "1200000000000103"
        account: "1200000000000104"
        class: "1200000000000105"
        post_status: { field: "1200000000000106", options: { post: "301", posted: "302" } }
        balance: "1200000000000107"
        bill_status: { field: "1200000000000108", options: { open: "401", "partially paid": "402", paid: "403" } }
        vendor_terms: "1200000000000109"
        project_class: "1200000000000110"
        project_department: "1200000000000111"
    quickbooks:
      post_as: bill
      default_expense_account: "103"
      currency: USD
      projects: { "1200000000000002": { class: Design, department: North Office } }
    people: { match: email }
    """

    @Test func theReadmeExampleLoads() throws {
        let config = try QuickBooksAsanaConfig.load(yaml: Self.valid)
        #expect(config.connections.quickbooks == "qbo-firm" && config.asana.fields.bill_status?.options["partially paid"] == "402")
        #expect(config.quickbooks.projects?["1200000000000002"]?.department == "North Office")
        #expect(try config.pollInterval() == .seconds(120))
        #expect(config.fieldRequirements.map(\.key) == ["asana.fields.vendor", "asana.fields.amount", "asana.fields.due_date", "asana.fields.post_status", "asana.fields.balance",
                                                        "asana.fields.account", "asana.fields.vendor_terms", "asana.fields.bill_status"])
    }

    @Test(arguments: [
        ("post_as: bill", "post_as: invoice", "quickbooks.post_as"),
        ("post_as: bill", "post_as: journal-entry", "quickbooks.credit_account"),
        ("currency: USD", "currency: dollars", "quickbooks.currency"),
        ("default_expense_account: \"103\"", "default_expense_account: \"Rent\"", "quickbooks.default_expense_account"),
        ("poll: 2m", "poll: soon", "schedule.poll"),
        ("options: { post: \"301\", posted: \"302\" }", "options: { posted: \"302\" }", "asana.fields.post_status.options.post"),
        ("posted: \"302\" }", "posted: \"302\", done: \"303\" }", "asana.fields.post_status.options.done"),
        (", paid: \"403\" }", " }", "asana.fields.bill_status.options"),
        ("vendor: \"1200000000000101\"", "vendor: \"Vendors\"", "asana.fields.vendor"),
        ("    amount: \"1200000000000102\"\n", "", "asana.fields.amount"),
        ("projects: [\"1200000000000002\"]", "projects: []", "asana.team"),
        ("{ class: Design, department: North Office }", "{ class: \"\" }", "quickbooks.projects.1200000000000002.class"),
        ("\"1200000000000002\": { class", "\"Design\": { class", "quickbooks.projects.Design"),
        ("kind: quickbooks-asana", "kind: freshbooks-asana", "kind"),
        ("connections: { quickbooks: qbo-firm, asana: asana-firm }", "connections: { asana: asana-firm }", "connections.quickbooks"),
        ("match: email", "match: name", "people.match"),
    ])
    func aBadKeyIsNamed(_ original: String, _ replacement: String, _ key: String) throws {
        #expect(try refusedKey(Self.valid, replacing: original, with: replacement) { _ = try QuickBooksAsanaConfig.load(yaml: $0) } == key)
    }

    @Test func withoutAnAccountFieldTheDefaultIsRequired() throws {
        let yaml = Self.valid.replacingOccurrences(of: "    account: \"1200000000000104\"\n", with: "").replacingOccurrences(of: "  default_expense_account: \"103\"\n", with: "")
        #expect(throws: ConnectorError.validation(field: "quickbooks.default_expense_account", message: "give the expense account id, or map asana.fields.account so each task names one")) {
            try QuickBooksAsanaConfig.load(yaml: yaml)
        }
    }
}
