import ConnectorKit
import Flows
import Foundation
import Testing

@Suite struct FreshBooksJiraConfigTests {
    static let valid = """
    name: acme-finance
    kind: freshbooks-jira
    connections: { freshbooks: fb, jira: jira }
    schedule: { poll: 5m }
    jira:
      project: FIN
      issue_types: { invoice: Invoice Created, bill: Bill Received, payment_received: Payment Received, payment_failed: Payment Failed, refund: Refund, expense: Expense }
      amount_field: Amount
      client_epics: { "7": FIN-3 }
    worklogs:
      project_issues: { "5": FIN-40 }
      default_issue: FIN-1
    rollback: { transition_to: Cancelled }
    """

    @Test func validConfigurationLoads() throws {
        let config = try FreshBooksJiraIntegration().load(yaml: Self.valid)
        #expect(config.jira.issue_types["refund"] == "Refund")
        #expect(config.namedIssues.map(\.key) == ["jira.client_epics.7", "worklogs.project_issues.5", "worklogs.default_issue"])
        #expect(config.connectionIDs == ["freshbooks": "fb", "jira": "jira"])
    }

    @Test(arguments: [
        ("project: FIN", "project: fin", "jira.project"),
        ("refund: Refund, ", "", "jira.issue_types.refund"),
        ("expense: Expense }", "expense: Expense, overdue: Overdue }", "jira.issue_types.overdue"),
        ("\"7\": FIN-3", "\"acme\": FIN-3", "jira.client_epics.acme"),
        ("\"7\": FIN-3", "\"7\": epic", "jira.client_epics.7"),
        ("\"5\": FIN-40", "\"5\": FIN40", "worklogs.project_issues.5"),
        ("default_issue: FIN-1", "default_issue: FIN-0", "worklogs.default_issue"),
        ("poll: 5m", "poll: often", "schedule.poll"),
        ("kind: freshbooks-jira", "kind: freshbooks-asana", "kind"),
        ("  amount_field: Amount\n", "", nil),
        ("connections: { freshbooks: fb, jira: jira }", "connections: { freshbooks: fb }", "connections.jira"),
    ] as [(String, String, String?)])
    func eachKeyIsCheckedAndNamed(_ replaced: String, _ with: String, _ field: String?) throws {
        #expect(try refusedKey(Self.valid, replacing: replaced, with: with) { _ = try FreshBooksJiraIntegration().load(yaml: $0) } == field)
    }
}
