import Foundation

/// A vendor (screen AP303000), keyed by `VendorID` (api digest 2.7).
public struct Vendor: Codable, Sendable, Equatable {
    /// The entity id (per session).
    public var id: String?
    /// The row's position in a list answer.
    public var rowNumber: Int?
    /// The vendor's note.
    public var note: StringValue?
    /// An error on the whole record (422).
    public var error: String?
    /// The key.
    public var VendorID: StringValue?
    /// The name.
    public var VendorName: StringValue?
    /// `Active`, `On Hold`, `Inactive`…
    public var Status: StringValue?
    /// The vendor class.
    public var VendorClass: StringValue?
    /// The default currency.
    public var CurrencyID: StringValue?
    /// Payment terms.
    public var Terms: StringValue?
    /// When it last changed.
    public var LastModifiedDateTime: DateTimeValue?

    /// An empty vendor.
    public init() {}
}

/// An employee (screen EP203000), keyed by `EmployeeID`.
public struct Employee: Codable, Sendable, Equatable {
    /// The entity id (per session).
    public var id: String?
    /// The row's position in a list answer.
    public var rowNumber: Int?
    /// The employee's note.
    public var note: StringValue?
    /// The key.
    public var EmployeeID: StringValue?
    /// The name.
    public var EmployeeName: StringValue?
    /// `Active`, `Inactive`…
    public var Status: StringValue?
    /// The employee's contact: their email is how people are matched across systems.
    public var ContactInfo: EmployeeContact?
    /// When it last changed.
    public var LastModifiedDateTime: DateTimeValue?

    /// An empty employee.
    public init() {}

    /// True when the employee works here now (`Status` is `Active`).
    public var isActive: Bool { Status?.value == "Active" }
}

/// The linked `Contact` entity of an employee (contract `Contact`), the fields read here.
public struct EmployeeContact: Codable, Sendable, Equatable {
    /// The work email.
    public var Email: StringValue?
    /// The display name.
    public var DisplayName: StringValue?

    /// A contact with an email.
    public init(email: String?) {
        Email = email.map { StringValue($0) }
    }
}
