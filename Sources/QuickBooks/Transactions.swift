import ConnectorKit
import Foundation

extension QuickBooksClient {
    /// Bills, optionally those changed after an instant.
    public func bills(changedAfter: Date? = nil) -> Paged<Bill> { list(.bill, changedAfter: changedAfter, as: Bill.self) }

    /// One bill.
    public func bill(id: String) async throws -> Bill { try await read(.bill, id: id, as: Bill.self) }

    /// Creates a bill; the same `requestID` never makes a second one.
    public func createBill(_ bill: Bill, requestID: String) async throws -> Bill {
        try await create(.bill, bill, requestID: requestID, as: Bill.self)
    }

    /// The bills with these Ids, in the order given, read with one query per 100 (`Id IN (…)`)
    /// rather than one read each; an Id no longer found (deleted since) is left out.
    public func bills(ids: [String]) async throws -> [Bill] {
        var found: [String: Bill] = [:]
        for start in stride(from: 0, to: ids.count, by: 100) {
            let chunk = ids[start..<min(start + 100, ids.count)].map { "'\(QueryText.quote($0))'" }.joined(separator: ",")
            for bill in try await query("SELECT * FROM Bill WHERE Id IN (\(chunk))", as: Bill.self).collect() {
                if let id = bill.Id { found[id] = bill }
            }
        }
        return ids.compactMap { found[$0] }
    }

    /// Pays bills of one vendor (each line names the bill it pays).
    public func createBillPayment(_ payment: BillPayment, requestID: String) async throws -> BillPayment {
        try await create(.billpayment, payment, requestID: requestID, as: BillPayment.self)
    }

    /// Bills whose `DocNumber` is `number` (a natural key a writer chose).
    public func bills(docNumber number: String) -> Paged<Bill> {
        query("SELECT * FROM Bill WHERE DocNumber = '\(QueryText.quote(number))' ORDERBY Id", as: Bill.self)
    }

    /// Journal entries whose `DocNumber` is `number`.
    public func journalEntries(docNumber number: String) -> Paged<JournalEntry> {
        query("SELECT * FROM JournalEntry WHERE DocNumber = '\(QueryText.quote(number))' ORDERBY Id", as: JournalEntry.self)
    }

    /// One journal entry.
    public func journalEntry(id: String) async throws -> JournalEntry { try await read(.journalentry, id: id, as: JournalEntry.self) }

    /// Journal entries, optionally those changed after an instant.
    public func journalEntries(changedAfter: Date? = nil) -> Paged<JournalEntry> { list(.journalentry, changedAfter: changedAfter, as: JournalEntry.self) }

    /// Creates a journal entry; debits and credits must balance, so that is checked first.
    public func createJournalEntry(_ entry: JournalEntry, requestID: String) async throws -> JournalEntry {
        let sums = Dictionary(grouping: entry.Line, by: { $0.JournalEntryLineDetail?.PostingType ?? "" }).mapValues { $0.reduce(Decimal(0)) { $0 + $1.Amount } }
        guard let debit = sums["Debit"], let credit = sums["Credit"], debit == credit else {
            throw ConnectorError.validation(field: "Line", message: "a journal entry needs debit and credit lines that balance; debits \(Money.string(sums["Debit"] ?? 0)), credits \(Money.string(sums["Credit"] ?? 0))")
        }
        return try await create(.journalentry, entry, requestID: requestID, as: JournalEntry.self)
    }
}

extension QuickBooksClient {
    /// Classes.
    public func classes() -> Paged<QuickBooksClass> { list(.class, as: QuickBooksClass.self) }

    /// Departments (locations).
    public func departments() -> Paged<Department> { list(.department, as: Department.self) }

    /// Accounts, optionally of one `AccountType` (`Expense`, `Accounts Payable`…).
    public func accounts(type: String? = nil) -> Paged<Account> {
        guard let type else { return list(.account, as: Account.self) }
        return query("SELECT * FROM Account WHERE AccountType = '\(QueryText.quote(type))' ORDERBY Id", as: Account.self)
    }
}

/// Query literals (api digest 1.4): quoted with `'`, an apostrophe escaped as `\'`.
public enum QueryText {
    /// The text of a literal, escaped.
    public static func quote(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }
}
