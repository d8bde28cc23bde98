import ConnectorKit
import Foundation
import FreshBooks
import Jira

/// The pure rules of the FreshBooks → Jira integration: no I/O, no clock.
public enum FreshBooksJiraMapping {
    /// The finance events that become issues, named as the YAML's `jira.issue_types` keys.
    public enum FinanceKind: String, Sendable, CaseIterable, Codable {
        case invoice, bill, payment_received, payment_failed, refund, expense

        /// How a person says it.
        public var phrase: String {
            switch self {
            case .invoice: "invoice"
            case .bill: "bill"
            case .payment_received: "payment received"
            case .payment_failed: "failed payment"
            case .refund: "refund"
            case .expense: "expense"
            }
        }

        /// The kind a payment's state makes (a failed payment is an invoice's autobill: `FreshBooksJiraAutobill`).
        public static func payment(_ state: PaymentState) -> FinanceKind {
            switch state {
            case .received: .payment_received
            case .refunded: .refund
            }
        }
    }

    /// One finance record as the issue shows it (assembled from FreshBooks records by the handler).
    public struct FinanceRecord: Sendable, Equatable {
        public var kind: FinanceKind
        /// The FreshBooks record (`freshbooks:payment:42`).
        public var source: ExternalRef
        /// The number a person knows it by (invoice number, bill number, payment id).
        public var number: String
        public var amount: Money
        /// The client or vendor.
        public var counterparty: String
        /// The client's, vendor's or staff member's email (the reporter is matched by it).
        public var email: String?
        /// `yyyy-MM-dd`.
        public var date: String?
        /// The FreshBooks client, for the epic per client.
        public var clientID: Int?
        /// The failure episode of a failed autobill (its `source` is the invoice); nil otherwise.
        public var episode: Int?

        /// Describes a record.
        public init(kind: FinanceKind, source: ExternalRef, number: String, amount: Money, counterparty: String, email: String?, date: String?, clientID: Int?, episode: Int? = nil) {
            self.kind = kind
            self.source = source
            self.number = number
            self.amount = amount
            self.counterparty = counterparty
            self.email = email
            self.date = date
            self.clientID = clientID
            self.episode = episode
        }
    }

    /// The email an issue's reporter is matched by: an expense is reported by the staff member
    /// who recorded it (its `staffid`; its vendor is a bare name), an invoice or payment by the
    /// client, a bill by the vendor. Nil (or blank) leaves the reporter to Jira's default.
    public static func reporterEmail(kind: FinanceKind, counterparty: String?, staff: String?) -> String? {
        let email = switch kind {
        case .expense: staff
        case .invoice, .bill, .payment_received, .payment_failed, .refund: counterparty
        }
        guard let email = email?.trimmingCharacters(in: .whitespaces), !email.isEmpty else { return nil }
        return email
    }

    /// The idempotency key of the issue a record's event makes: the FreshBooks account, record
    /// and kind (a payment received and its later refund are two issues), and a failed
    /// autobill's episode (an invoice's second failure is a second issue).
    public static func issueKey(accountID: String, record: FinanceRecord) -> String {
        "fb-\(accountID)-\(record.source.type)-\(record.source.id)-\(record.kind.rawValue)" + (record.episode.map { "-\($0)" } ?? "")
    }

    /// `Invoice INV-1007 · 1250.00 USD · Acme Corp`.
    public static func summary(_ record: FinanceRecord) -> String {
        let noun: String = switch record.kind {
        case .invoice: "Invoice"
        case .bill: "Bill"
        case .payment_received: "Payment received"
        case .payment_failed: "Payment failed"
        case .refund: "Refund"
        case .expense: "Expense"
        }
        let text = "\(noun) \(record.number) · \(amountText(record.amount)) · \(record.counterparty)"
        // Jira: summaries hold at most 255 characters (digest 3.3).
        return String(text.prefix(255))
    }

    /// `1500.50 USD`: rounded half away from zero to cents, always two decimals.
    public static func amountText(_ money: Money) -> String {
        let text = money.rounded().amountString
        let decimals = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 }
        let padded = switch decimals {
        case nil: text + ".00"
        case 1: text + "0"
        default: text
        }
        return "\(padded) \(money.currency)"
    }

    /// Where the record is seen in FreshBooks.
    public static func link(_ record: FinanceRecord) -> String {
        "https://my.freshbooks.com/#/\(record.source.type)/\(record.source.id)"
    }

    /// The description: a table of the details and a link back to FreshBooks.
    public static func description(_ record: FinanceRecord) -> JiraDocument {
        var rows: [(String, String)] = [("Event", record.kind.phrase), ("Number", record.number),
                                        ("Amount", "\(amountText(record.amount))"),
                                        (record.kind == .bill || record.kind == .expense ? "Vendor" : "Client", record.counterparty)]
        if let date = record.date { rows.append(("Date", date)) }
        if let email = record.email { rows.append(("Email", email)) }
        rows.append(("FreshBooks record", record.source.description))
        return JiraDocument.table(rows, linkText: "Open in FreshBooks", link: link(record))
    }

    /// The issue a record becomes: project, configured type, summary, description, amount in
    /// the resolved field, parent epic of its client, reporter matched by email.
    public static func issue(_ record: FinanceRecord, config: FreshBooksJiraConfig, amountFieldID: String?, reporter: String?) -> IssueDraft {
        var custom: [String: JiraFieldInput] = [:]
        if let amountFieldID { custom[amountFieldID] = .number(record.amount.rounded().amount) }
        let epic = record.clientID.flatMap { config.jira.client_epics?[String($0)] }
        return IssueDraft(project: config.jira.project, issueType: config.jira.issue_types[record.kind.rawValue], summary: summary(record),
                          description: description(record), labels: nil, parent: epic, reporter: reporter, custom: custom)
    }

    // MARK: Time entries → worklogs

    /// When a time entry started: FreshBooks writes a wall time; with `Z` or an offset it is
    /// that instant, without one it is US/Eastern (the business's zone), DST included.
    public static func started(_ text: String) -> Date? {
        if let utc = FreshBooksWire.parseUTC(text), text.hasSuffix("Z") { return utc }
        if text.count > 19, let date = startedWithOffset.lazy.compactMap({ $0.date(from: text) }).first { return date }
        return startedEastern.lazy.compactMap { $0.date(from: text) }.first
    }

    /// A start time with its own offset (the zone given only fills what the text leaves out).
    private static let startedWithOffset = ["yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX"]
        .map { SharedDateFormatter(format: $0, timeZone: TimeZone(identifier: "UTC")!) }
    /// A start time without one: US/Eastern wall time.
    private static let startedEastern = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS"]
        .map { SharedDateFormatter(format: $0, timeZone: TimeZone(identifier: "America/New_York")!) }

    /// The marker a worklog's comment carries: how an earlier attempt's worklog is found.
    public static func worklogMarker(accountID: String, entryID: Int) -> String { "FreshBooks time entry \(accountID)-\(entryID)" }

    /// Whether a worklog comment is the one of `marker`'s entry: its last line is the marker
    /// exactly (entry 12's marker is a prefix of entry 123's, so containing it is not enough).
    public static func isMarked(_ comment: String?, by marker: String) -> Bool {
        comment?.split(separator: "\n", omittingEmptySubsequences: false).last.map { $0.trimmingCharacters(in: .whitespaces) == marker } ?? false
    }

    /// The worklog of a time entry: exact start and seconds, the note and the marker.
    public static func worklog(_ entry: TimeEntry, accountID: String) throws -> WorklogDraft {
        guard let text = entry.started_at, let start = started(text) else {
            throw ConnectorError.validation(field: "time_entry.started_at", message: "'\(entry.started_at ?? "")' of FreshBooks time entry \(entry.id) is not a date-time")
        }
        guard entry.duration > 0, entry.duration <= 7 * 86400 else {
            throw ConnectorError.validation(field: "time_entry.duration", message: "\(entry.duration) s of FreshBooks time entry \(entry.id) is not between 1 s and a week")
        }
        let note = (entry.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let marker = worklogMarker(accountID: accountID, entryID: entry.id)
        return WorklogDraft(started: start, timeSpentSeconds: entry.duration, comment: JiraDocument(text: note.isEmpty ? marker : "\(note)\n\(marker)"))
    }

    /// The issue a time entry is logged on: a key of the project in its note, else its
    /// FreshBooks project's issue, else the default; nil when none applies.
    public static func worklogIssue(note: String?, projectID: Int?, projectKey: String, worklogs: FreshBooksJiraConfig.Worklogs?) -> String? {
        if let note, let match = note.firstMatch(of: #/\b([A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,9})\b/#), match.1.hasPrefix(projectKey + "-") {
            return String(match.1)
        }
        if let projectID, let issue = worklogs?.project_issues?[String(projectID)] { return issue }
        return worklogs?.default_issue
    }

    /// `FIN`, `MLC2`.
    public static func isProjectKey(_ text: String) -> Bool {
        text.wholeMatch(of: #/[A-Z][A-Z0-9]{1,9}/#) != nil
    }

    /// `FIN-12`.
    public static func isIssueKey(_ text: String) -> Bool {
        text.wholeMatch(of: #/[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,9}/#) != nil
    }
}
