import ConnectorKit
import Foundation

extension QuickBooksClient {
    /// Vendors, optionally those changed after an instant.
    public func vendors(changedAfter: Date? = nil) -> Paged<Vendor> { list(.vendor, changedAfter: changedAfter, as: Vendor.self) }

    /// One vendor.
    public func vendor(id: String) async throws -> Vendor { try await read(.vendor, id: id, as: Vendor.self) }

    /// Creates a vendor; the same `requestID` never makes a second one.
    public func createVendor(_ draft: NameDraft, requestID: String) async throws -> Vendor {
        try await create(.vendor, draft, requestID: requestID, as: Vendor.self)
    }

    /// Customers, optionally those changed after an instant.
    public func customers(changedAfter: Date? = nil) -> Paged<Customer> { list(.customer, changedAfter: changedAfter, as: Customer.self) }

    /// One customer.
    public func customer(id: String) async throws -> Customer { try await read(.customer, id: id, as: Customer.self) }

    /// Creates a customer; the same `requestID` never makes a second one.
    public func createCustomer(_ draft: NameDraft, requestID: String) async throws -> Customer {
        try await create(.customer, draft, requestID: requestID, as: Customer.self)
    }

    /// Employees.
    public func employees() -> Paged<Employee> { list(.employee, as: Employee.self) }

    /// The company of the connection's realm.
    public func companyInfo() async throws -> CompanyInfo {
        try await read(.companyinfo, id: try realmID(), as: CompanyInfo.self)
    }
}
