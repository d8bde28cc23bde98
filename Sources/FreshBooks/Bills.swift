import ConnectorKit
import Foundation

extension FreshBooksClient {
    // MARK: Bills and bill vendors (accounting family: `/bills/bills`, `/bill_vendors/bill_vendors`)

    /// Bills matching `search`, every page.
    public func bills(_ search: AccountingSearch = AccountingSearch()) throws -> Paged<Bill> {
        try accountingList("bills/bills", Bill.self, query: search.query(clientField: "vendorid"))
    }

    /// One bill.
    public func bill(id: Int) async throws -> Bill {
        try await accountingGet("bills/bills", id: id, as: Bill.self)
    }

    /// Records a bill from a vendor.
    public func createBill(_ draft: BillDraft) async throws -> Bill {
        try await accountingWrite(.post, "bills/bills", name: "bill", body: draft, as: Bill.self)
    }

    /// One bill vendor.
    public func billVendor(id: Int) async throws -> BillVendor {
        try await accountingGet("bill_vendors/bill_vendors", id: id, as: BillVendor.self)
    }

    /// Bill vendors, every page.
    public func billVendors() throws -> Paged<BillVendor> {
        try accountingList("bill_vendors/bill_vendors", BillVendor.self, query: [])
    }

    /// Creates a bill vendor.
    public func createBillVendor(_ draft: BillVendorDraft) async throws -> BillVendor {
        try await accountingWrite(.post, "bill_vendors/bill_vendors", name: "bill_vendor", body: draft, as: BillVendor.self)
    }
}
