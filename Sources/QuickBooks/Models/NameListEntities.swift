import ConnectorKit
import Foundation

/// A vendor (XSD `Vendor`, api digest 1.3).
public struct Vendor: Codable, Sendable, Equatable {
    public var Id: String
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    /// Unique across customers, vendors and employees (6240 otherwise).
    public var DisplayName: String?
    public var CompanyName: String?
    public var GivenName: String?
    public var FamilyName: String?
    public var PrintOnCheckName: String?
    public var Active: Bool?
    public var PrimaryEmailAddr: EmailAddress?
    public var PrimaryPhone: TelephoneNumber?
    public var AcctNum: String?
    public var Vendor1099: Bool?
    /// The vendor's default payment terms (`Net 30`).
    public var TermRef: ReferenceType?
    public var CurrencyRef: ReferenceType?
    /// What the company owes the vendor (read only).
    public var Balance: Decimal?
}

/// A customer (XSD `Customer`, api digest 1.3).
public struct Customer: Codable, Sendable, Equatable {
    public var Id: String
    public var SyncToken: String?
    public var MetaData: ModificationMetaData?
    public var DisplayName: String?
    public var CompanyName: String?
    public var GivenName: String?
    public var FamilyName: String?
    public var Active: Bool?
    public var PrimaryEmailAddr: EmailAddress?
    public var PrimaryPhone: TelephoneNumber?
    public var CurrencyRef: ReferenceType?
    /// What the customer owes (read only).
    public var Balance: Decimal?
}

/// An employee (XSD `Employee`): who did the work, named on a journal line's `Entity`.
public struct Employee: Codable, Sendable, Equatable {
    public var Id: String
    public var SyncToken: String?
    public var DisplayName: String?
    public var GivenName: String?
    public var FamilyName: String?
    public var Active: Bool?
    public var PrimaryEmailAddr: EmailAddress?
}

/// A new vendor or customer: the fields both take (api digest 1.3).
public struct NameDraft: Encodable, Sendable, Equatable {
    public var DisplayName: String
    public var CompanyName: String?
    public var GivenName: String?
    public var FamilyName: String?
    public var PrimaryEmailAddr: EmailAddress?
    public var CurrencyRef: ReferenceType?

    /// Describes a vendor or customer to create.
    public init(displayName: String, companyName: String? = nil, givenName: String? = nil, familyName: String? = nil, email: String? = nil, currency: CurrencyCode? = nil) {
        DisplayName = displayName
        CompanyName = companyName
        GivenName = givenName
        FamilyName = familyName
        PrimaryEmailAddr = email.map { EmailAddress(Address: $0) }
        CurrencyRef = currency.map { ReferenceType($0.code) }
    }
}

/// The company behind a realm (XSD `CompanyInfo`).
public struct CompanyInfo: Codable, Sendable, Equatable {
    public var Id: String?
    public var CompanyName: String?
    public var LegalName: String?
    public var Country: String?
    public var Email: EmailAddress?
    public var CompanyStartDate: String?
    public var SyncToken: String?
}
