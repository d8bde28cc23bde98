import ConnectorKit
import Foundation

/// A bill from a vendor (XSD `Bill`, api digest 1.3): location (`DepartmentRef`) on the
/// header, class per line.
public struct Bill: Codable, Sendable, Equatable {
    public var Id: String?
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    public var VendorRef: ReferenceType
    public var TxnDate: String?
    public var DueDate: String?
    /// At most 21 characters; a duplicate is refused (6140).
    public var DocNumber: String?
    public var PrivateNote: String?
    public var DepartmentRef: ReferenceType?
    public var APAccountRef: ReferenceType?
    public var CurrencyRef: ReferenceType?
    public var Line: [BillLine]
    /// Read only.
    public var TotalAmt: Decimal?
    /// What is left to pay (read only).
    public var Balance: Decimal?

    /// Describes a bill to create.
    public init(vendor: String, lines: [BillLine], txnDate: String? = nil, dueDate: String? = nil, docNumber: String? = nil, department: String? = nil, currency: CurrencyCode? = nil) {
        VendorRef = ReferenceType(vendor)
        Line = lines
        TxnDate = txnDate
        DueDate = dueDate
        DocNumber = docNumber
        DepartmentRef = department.map { ReferenceType($0) }
        CurrencyRef = currency.map { ReferenceType($0.code) }
    }

    /// The total as money in the bill's currency.
    public func total() throws -> Money? { try TotalAmt.map { Money($0, try CurrencyRef.currency()) } }
    /// The open balance as money.
    public func balance() throws -> Money? { try Balance.map { Money($0, try CurrencyRef.currency()) } }
}

/// One expense line of a bill (XSD `Line` with `AccountBasedExpenseLineDetail`).
public struct BillLine: Codable, Sendable, Equatable {
    public var Id: String?
    public var Description: String?
    public var Amount: Decimal
    public var DetailType: String
    public var AccountBasedExpenseLineDetail: AccountBasedExpenseLineDetail?

    /// An account-based expense line.
    public init(amount: Decimal, account: String, description: String? = nil, classRef: String? = nil, customer: String? = nil, billable: String? = nil) {
        Amount = amount
        Description = description
        DetailType = "AccountBasedExpenseLineDetail"
        AccountBasedExpenseLineDetail = QuickBooks.AccountBasedExpenseLineDetail(AccountRef: ReferenceType(account), ClassRef: classRef.map { ReferenceType($0) },
                                                                                 CustomerRef: customer.map { ReferenceType($0) }, BillableStatus: billable)
    }
}

/// Where an expense line posts (XSD `AccountBasedExpenseLineDetail`).
public struct AccountBasedExpenseLineDetail: Codable, Sendable, Equatable {
    public var AccountRef: ReferenceType
    public var ClassRef: ReferenceType?
    public var CustomerRef: ReferenceType?
    /// `Billable`, `NotBillable` or `HasBeenBilled`.
    public var BillableStatus: String?
}

/// A journal entry (XSD `JournalEntry`): balanced debit and credit lines, class and location per line.
public struct JournalEntry: Codable, Sendable, Equatable {
    public var Id: String?
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    public var TxnDate: String?
    public var DocNumber: String?
    public var PrivateNote: String?
    public var CurrencyRef: ReferenceType?
    public var Line: [JournalEntryLine]
    public var TotalAmt: Decimal?

    /// Describes a journal entry to create.
    public init(lines: [JournalEntryLine], txnDate: String? = nil, docNumber: String? = nil, privateNote: String? = nil) {
        Line = lines
        TxnDate = txnDate
        DocNumber = docNumber
        PrivateNote = privateNote
    }
}

/// One line of a journal entry (XSD `Line` with `JournalEntryLineDetail`).
public struct JournalEntryLine: Codable, Sendable, Equatable {
    public var Id: String?
    public var Description: String?
    public var Amount: Decimal
    public var DetailType: String
    public var JournalEntryLineDetail: JournalEntryLineDetail?

    /// A debit or credit line, optionally naming the customer, vendor or employee it concerns.
    public init(postingType: String, amount: Decimal, account: String, description: String? = nil, classRef: String? = nil, department: String? = nil,
                entity: EntityTypeRef? = nil) {
        Amount = amount
        Description = description
        DetailType = "JournalEntryLineDetail"
        JournalEntryLineDetail = QuickBooks.JournalEntryLineDetail(PostingType: postingType, Entity: entity, AccountRef: ReferenceType(account),
                                                                   ClassRef: classRef.map { ReferenceType($0) }, DepartmentRef: department.map { ReferenceType($0) })
    }
}

/// The customer, vendor or employee a journal line concerns (XSD `EntityTypeRef`).
public struct EntityTypeRef: Codable, Sendable, Equatable {
    /// `Customer`, `Vendor` or `Employee` (XSD `EntityTypeEnum`).
    public var `Type`: String
    public var EntityRef: ReferenceType

    /// Names a record of `type` by its Id.
    public init(type: String, id: String) {
        self.`Type` = type
        EntityRef = ReferenceType(id)
    }
}

/// Where a journal line posts (XSD `JournalEntryLineDetail`).
public struct JournalEntryLineDetail: Codable, Sendable, Equatable {
    /// `Debit` or `Credit`.
    public var PostingType: String
    /// The customer, vendor or employee of the line (required by QBO on A/R and A/P lines).
    public var Entity: EntityTypeRef?
    public var AccountRef: ReferenceType
    public var ClassRef: ReferenceType?
    public var DepartmentRef: ReferenceType?
}
