import ConnectorKit
import Foundation

extension AcumaticaClient {
    /// The vendors matching `query`.
    public func vendors(_ query: AcumaticaQuery = AcumaticaQuery()) -> Paged<Vendor> {
        list("Vendor", query, as: Vendor.self)
    }

    /// One vendor by id.
    public func vendor(id: String) async throws -> Vendor {
        try await get("Vendor", keys: [id], as: Vendor.self)
    }

    /// Creates a vendor once: its `VendorID` is ours, so an insert-only write cannot make two.
    public func createVendor(id: String, name: String, currency: String? = nil) async throws -> Vendor {
        var vendor = Vendor()
        vendor.VendorID = StringValue(id)
        vendor.VendorName = StringValue(name)
        vendor.CurrencyID = currency.map { StringValue($0) }
        return try await createOnce("Vendor", vendor, naturalKey: AcumaticaFilter.equals("VendorID", id))
    }

    /// The employees matching `query`.
    public func employees(_ query: AcumaticaQuery = AcumaticaQuery()) -> Paged<Employee> {
        list("Employee", query, as: Employee.self)
    }

    /// One employee by id.
    public func employee(id: String) async throws -> Employee {
        try await get("Employee", keys: [id], as: Employee.self)
    }
}

