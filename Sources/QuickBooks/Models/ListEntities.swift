import Foundation

/// A class, for tracking by line (XSD `Class`).
public struct QuickBooksClass: Codable, Sendable, Equatable {
    public var Id: String
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    public var Name: String?
    public var SubClass: Bool?
    public var ParentRef: ReferenceType?
    public var FullyQualifiedName: String?
    public var Active: Bool?
}

/// A department, shown as "Location" in QuickBooks (XSD `Department`).
public struct Department: Codable, Sendable, Equatable {
    public var Id: String
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    public var Name: String?
    public var SubDepartment: Bool?
    public var ParentRef: ReferenceType?
    public var FullyQualifiedName: String?
    public var Active: Bool?
}

/// An account of the chart of accounts (XSD `Account`).
public struct Account: Codable, Sendable, Equatable {
    public var Id: String
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    public var Name: String?
    public var AcctNum: String?
    public var AccountType: String?
    public var AccountSubType: String?
    public var Classification: String?
    public var FullyQualifiedName: String?
    public var Active: Bool?
    public var CurrentBalance: Decimal?
    public var CurrencyRef: ReferenceType?
}
