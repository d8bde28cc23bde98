import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Jira
import Testing

@Suite struct FreshBooksJiraMappingTests {
    static let usd = try! CurrencyCode("USD")

    static func config(epics: [String: String]? = nil, worklogs: FreshBooksJiraConfig.Worklogs? = nil) throws -> FreshBooksJiraConfig {
        var yaml = """
        name: acme-finance
        kind: freshbooks-jira
        connections: { freshbooks: fb, jira: jira }
        jira:
          project: FIN
          issue_types: { invoice: Invoice Created, bill: Bill Received, payment_received: Payment Received, payment_failed: Payment Failed, refund: Refund, expense: Expense }
          amount_field: Amount
        """
        if let epics { yaml += "\n  client_epics: { \(epics.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")) }" }
        var config = try FreshBooksJiraIntegration().load(yaml: yaml)
        config.worklogs = worklogs
        return config
    }

    static func record(_ kind: FreshBooksJiraMapping.FinanceKind, type: String = "invoice", amount: String = "1500.5", clientID: Int? = 7) -> FreshBooksJiraMapping.FinanceRecord {
        .init(kind: kind, source: ExternalRef(.freshbooks, type, "42"), number: "INV-1001", amount: Money(Decimal(string: amount)!, usd), counterparty: "Acme Corp",
              email: "ap@acme.test", date: "2026-03-02", clientID: clientID)
    }

    @Test(arguments: [
        (PaymentState.received, FreshBooksJiraMapping.FinanceKind.payment_received, "Payment Received"),
        (.refunded, .refund, "Refund"),
    ])
    func paymentStatesPickTheirIssueType(_ state: PaymentState, _ kind: FreshBooksJiraMapping.FinanceKind, _ type: String) throws {
        #expect(FreshBooksJiraMapping.FinanceKind.payment(state) == kind)
        let draft = FreshBooksJiraMapping.issue(Self.record(kind, type: "payment"), config: try Self.config(), amountFieldID: nil, reporter: nil)
        #expect(draft.issueType == type)
    }

    @Test func aPaymentCannotSayItFailed() {
        // FreshBooks publishes no payment status: a failed charge is an invoice's `autobill_status`.
        #expect(PaymentState.allCases == [.received, .refunded])
    }

    @Test(arguments: [
        // (type, amount) → state
        (Optional("Check"), "100.00", PaymentState.received),
        ("Refund", "100.00", .refunded),
        ("refund", "100.00", .refunded),
        ("Check", "-25.00", .refunded),
        ("VISA", "100.00", .received),
        (nil, "0", .received),
        (" Refund ", "100.00", .refunded),
        ("Cash", "-10.00", .refunded),
        ("Credit", "100.00", .received),
        ("Refunded", "100.00", .received),
    ] as [(String?, String, PaymentState)])
    func paymentFieldsSayTheState(_ type: String?, _ amount: String, _ expected: PaymentState) {
        #expect(PaymentState.of(type: type, amount: Decimal(string: amount)!) == expected)
    }

    @Test(arguments: [
        (FreshBooksJiraMapping.FinanceKind.invoice, "1500.5", "Invoice INV-1001 · 1500.50 USD · Acme Corp"),
        (.bill, "412.4", "Bill INV-1001 · 412.40 USD · Acme Corp"),
        (.payment_received, "0.005", "Payment received INV-1001 · 0.01 USD · Acme Corp"),
        (.refund, "99.994", "Refund INV-1001 · 99.99 USD · Acme Corp"),
        (.expense, "12", "Expense INV-1001 · 12.00 USD · Acme Corp"),
    ])
    func summaryHoldsNumberAmountAndCounterparty(_ kind: FreshBooksJiraMapping.FinanceKind, _ amount: String, _ expected: String) {
        #expect(FreshBooksJiraMapping.summary(Self.record(kind, amount: amount)) == expected)
    }

    @Test func issueCarriesAmountEpicReporterAndATableWithALink() throws {
        let config = try Self.config(epics: ["7": "FIN-3"])
        let draft = FreshBooksJiraMapping.issue(Self.record(.invoice), config: config, amountFieldID: "customfield_10050", reporter: "712020:abc")
        #expect(draft.project == "FIN")
        #expect(draft.issueType == "Invoice Created")
        #expect(draft.custom["customfield_10050"] == .number(Decimal(string: "1500.50")!))
        #expect(draft.parent == "FIN-3")
        #expect(draft.reporter == "712020:abc")
        let tree = try #require(draft.description?.tree)
        let content = try #require(tree["content"]?.array)
        #expect(content.first?["type"]?.scalarText == "table")
        let rows = content.first?["content"]?.array ?? []
        #expect(rows.contains { row in JiraDocument(tree: row).plainText.contains("Amount") && JiraDocument(tree: row).plainText.contains("1500.50 USD") })
        let link = content.last?["content"]?.array?.first?["marks"]?.array?.first
        #expect(link?["attrs"]?["href"]?.scalarText == "https://my.freshbooks.com/#/invoice/42")
        // No epic for another client.
        #expect(FreshBooksJiraMapping.issue(Self.record(.invoice, clientID: 8), config: config, amountFieldID: nil, reporter: nil).parent == nil)
    }

    @Test func issueKeysAreOnePerAccountRecordAndKind() {
        let received = FreshBooksJiraMapping.issueKey(accountID: "SBX123", record: Self.record(.payment_received, type: "payment"))
        #expect(received == "fb-SBX123-payment-42-payment_received")
        #expect(FreshBooksJiraMapping.issueKey(accountID: "SBX123", record: Self.record(.refund, type: "payment")) != received)
        #expect(FreshBooksJiraMapping.issueKey(accountID: "OTH456", record: Self.record(.payment_received, type: "payment")) != received)
        #expect(JiraClient.idempotencyLabel(received) == "mlc-fb-SBX123-payment-42-payment_received")
    }

    @Test(arguments: [
        // FreshBooks wall time without offset is US/Eastern (EST in winter, EDT in summer).
        ("2026-01-15T09:00:00", "2026-01-15T14:00:00.000+0000"),
        ("2026-07-15T09:00:00", "2026-07-15T13:00:00.000+0000"),
        ("2026-03-08T03:30:00", "2026-03-08T07:30:00.000+0000"),
        ("2026-11-01 23:59:59", "2026-11-02T04:59:59.000+0000"),
        // With Z or an offset it is that instant.
        ("2020-10-17T05:00:00Z", "2020-10-17T05:00:00.000+0000"),
        ("2026-07-15T09:00:00-07:00", "2026-07-15T16:00:00.000+0000"),
    ])
    func startedIsExact(_ wire: String, _ jira: String) throws {
        let started = try #require(FreshBooksJiraMapping.started(wire))
        #expect(JiraTime.format(started) == jira)
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00", "2026-01-01"])
    func badStartsAreNil(_ wire: String) {
        #expect(FreshBooksJiraMapping.started(wire) == nil)
    }

    @Test func worklogHasExactSecondsNoteAndMarker() throws {
        let entry = try JSONDecoder().decode(TimeEntry.self, from: Data(#"{"id": 77, "started_at": "2026-01-15T09:00:00", "duration": 5400, "note": "Workshop FIN-9", "project_id": 5}"#.utf8))
        let draft = try FreshBooksJiraMapping.worklog(entry, accountID: "SBX123")
        #expect(draft.timeSpentSeconds == 5400)
        #expect(draft.started.map(JiraTime.format) == "2026-01-15T14:00:00.000+0000")
        #expect(draft.comment?.plainText == "Workshop FIN-9\nFreshBooks time entry SBX123-77")
        let zero = try JSONDecoder().decode(TimeEntry.self, from: Data(#"{"id": 78, "started_at": "2026-01-15T09:00:00", "duration": 0}"#.utf8))
        #expect(throws: ConnectorError.self) { try FreshBooksJiraMapping.worklog(zero, accountID: "SBX123") }
    }

    /// A worklog is found by its own entry's marker only: entry 12's marker is a prefix of
    /// entry 123's, and a note may quote another entry's marker.
    @Test(arguments: [
        ("Workshop\nFreshBooks time entry SBX-12", 12, true),
        ("FreshBooks time entry SBX-12", 12, true),
        ("Workshop\nFreshBooks time entry SBX-123", 12, false),
        ("FreshBooks time entry SBX-12 was wrong\nFreshBooks time entry SBX-99", 12, false),
        ("", 12, false),
    ])
    func aWorklogIsFoundByItsOwnMarkerOnly(comment: String, entry: Int, found: Bool) {
        #expect(FreshBooksJiraMapping.isMarked(comment, by: FreshBooksJiraMapping.worklogMarker(accountID: "SBX", entryID: entry)) == found)
    }

    @Test(arguments: [
        // (note, project id) → issue: a key of the project in the note, then the project's issue, then the default.
        (Optional("Prep for FIN-12 workshop"), Optional(5), Optional("FIN-12")),
        ("Prep for OPS-12 workshop", 5, "FIN-40"),
        ("no key", 5, "FIN-40"),
        ("no key", 6, "FIN-1"),
        (nil, nil, "FIN-1"),
        ("FIN-0 is not a key", nil, "FIN-1"),
    ] as [(String?, Int?, String?)])
    func worklogIssueComesFromNoteProjectOrDefault(_ note: String?, _ project: Int?, _ expected: String?) {
        let worklogs = FreshBooksJiraConfig.Worklogs(project_issues: ["5": "FIN-40"], default_issue: "FIN-1")
        #expect(FreshBooksJiraMapping.worklogIssue(note: note, projectID: project, projectKey: "FIN", worklogs: worklogs) == expected)
        #expect(FreshBooksJiraMapping.worklogIssue(note: "none", projectID: nil, projectKey: "FIN", worklogs: nil) == nil)
    }
}

extension FreshBooksJiraMappingTests {
    @Test(arguments: [
        (FreshBooksJiraMapping.FinanceKind.invoice, "ap@acme.test", "casey@firm.test", "ap@acme.test"),
        (.payment_received, "ap@acme.test", nil, "ap@acme.test"),
        (.payment_failed, "ap@acme.test", nil, "ap@acme.test"),
        (.refund, "ap@acme.test", nil, "ap@acme.test"),
        (.bill, "billing@cloud.test", "casey@firm.test", "billing@cloud.test"),
        (.expense, nil, "casey@firm.test", "casey@firm.test"),
        (.expense, "ap@acme.test", nil, nil),
        (.expense, nil, "  ", nil),
        (.invoice, "", nil, nil),
    ] as [(FreshBooksJiraMapping.FinanceKind, String?, String?, String?)])
    func theReporterIsTheClientVendorOrStaffMember(_ kind: FreshBooksJiraMapping.FinanceKind, _ counterparty: String?, _ staff: String?, _ expected: String?) {
        #expect(FreshBooksJiraMapping.reporterEmail(kind: kind, counterparty: counterparty, staff: staff) == expected)
    }
}

extension FreshBooksJiraMappingTests {
    @Test(arguments: [
        (Set<Int>(), 0, [Int]()),
        ([5, 1, 3], 0, [1, 3]),
        ([5, 1, 3], 1, [3, 5]),
        ([5, 1, 3], 3, [5]),
        ([5, 1, 3], 5, [1, 3]),
        ([5, 1, 3], 99, [1, 3]),
    ] as [(Set<Int>, Int, [Int])])
    func linkedEntriesAreCheckedABoundedBatchAtATimeInTurn(_ linked: Set<Int>, _ after: Int, _ batch: [Int]) {
        #expect(FreshBooksJiraDeletedEntriesJob.batch(linked, after: after, size: 2) == batch)
    }
}
