import ConnectorKit
import Foundation

/// A vendor or customer as actions show it.
public struct NameSummary: Codable, Sendable, Equatable, ActionRecord {
    public var type: String
    public var id: String
    public var displayName: String?
    public var email: String?
    public var balance: String?
    public var syncToken: String?
    public var updated: String?

    init(_ name: some NameEntity) {
        type = Swift.type(of: name).record.rawValue
        id = name.Id
        displayName = name.DisplayName
        email = name.PrimaryEmailAddr?.Address
        balance = name.Balance.map(Money.string)
        syncToken = name.SyncToken
        updated = name.MetaData?.lastUpdated.map(QuickBooksTime.format)
    }

    public static let columns = ["ID", "DISPLAY NAME", "EMAIL", "BALANCE", "UPDATED"]
    public var row: [String] { [id, displayName ?? "", email ?? "", balance ?? "", updated ?? ""] }
    public var ref: ExternalRef { ExternalRef(.quickbooks, type, id) }
}

/// What vendors and customers share, as a summary shows it.
protocol NameEntity {
    static var record: QuickBooksRecord { get }
    var Id: String { get }
    var DisplayName: String? { get }
    var PrimaryEmailAddr: EmailAddress? { get }
    var Balance: Decimal? { get }
    var SyncToken: String? { get }
    var MetaData: ModificationMetaData? { get }
}

extension Vendor: NameEntity { static var record: QuickBooksRecord { .vendor } }
extension Customer: NameEntity { static var record: QuickBooksRecord { .customer } }

/// A bill as actions show it (amounts exact, in the bill's currency).
public struct BillSummary: Codable, Sendable, Equatable, ActionRecord {
    public var id: String
    public var vendor: String
    public var docNumber: String?
    public var dueDate: String?
    public var total: String?
    public var balance: String?
    public var currency: String
    public var department: String?
    public var syncToken: String?
    public var updated: String?

    init(_ bill: Bill) {
        id = bill.Id ?? ""
        vendor = bill.VendorRef.name.map { "\($0) (\(bill.VendorRef.value))" } ?? bill.VendorRef.value
        docNumber = bill.DocNumber
        dueDate = bill.DueDate
        total = bill.TotalAmt.map(Money.string)
        balance = bill.Balance.map(Money.string)
        currency = bill.CurrencyRef?.value ?? "USD"
        department = bill.DepartmentRef?.value
        syncToken = bill.SyncToken
        updated = bill.MetaData?.lastUpdated.map(QuickBooksTime.format)
    }

    public static let columns = ["ID", "VENDOR", "DOC NUMBER", "DUE", "TOTAL", "BALANCE", "UPDATED"]
    public var row: [String] { [id, vendor, docNumber ?? "", dueDate ?? "", total.map { "\($0) \(currency)" } ?? "", balance ?? "", updated ?? ""] }
    public var ref: ExternalRef { .quickbooks(.bill, id) }
}

/// A journal entry as actions show it.
public struct JournalEntrySummary: Codable, Sendable, Equatable, ActionRecord {
    public var id: String
    public var txnDate: String?
    public var docNumber: String?
    public var debits: String
    public var lines: Int

    init(_ entry: JournalEntry) {
        id = entry.Id ?? ""
        txnDate = entry.TxnDate
        docNumber = entry.DocNumber
        debits = Money.string(entry.Line.filter { $0.JournalEntryLineDetail?.PostingType == "Debit" }.reduce(Decimal(0)) { $0 + $1.Amount })
        lines = entry.Line.count
    }

    public static let columns = ["ID", "DATE", "DOC NUMBER", "DEBITS", "LINES"]
    public var row: [String] { [id, txnDate ?? "", docNumber ?? "", debits, "\(lines)"] }
    public var ref: ExternalRef { .quickbooks(.journalentry, id) }
}

/// A class, department or account as actions show it.
public struct ListSummary: Codable, Sendable, Equatable, ActionRecord {
    public var type: String
    public var id: String
    public var name: String?
    public var active: Bool?
    public var detail: String?

    init(record: QuickBooksRecord, id: String, name: String?, active: Bool?, detail: String?) {
        type = record.rawValue
        self.id = id
        self.name = name
        self.active = active
        self.detail = detail
    }

    public static let columns = ["ID", "NAME", "ACTIVE", "DETAIL"]
    public var row: [String] { [id, name ?? "", active.map { $0 ? "yes" : "no" } ?? "", detail ?? ""] }
    public var ref: ExternalRef { ExternalRef(.quickbooks, type, id) }
}
