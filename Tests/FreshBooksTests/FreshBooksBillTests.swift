import ConnectorKit
import FreshBooks
import Foundation
import Sandbox
import TestSupport
import Testing

@Suite struct FreshBooksBillTests {
    @Test func billsAndVendorsAreCreatedListedAndReadWithExactMoney() async throws {
        try await FreshBooksFixture.with { fixture in
            let usd = try CurrencyCode("USD")
            let vendor = try await fixture.client.createBillVendor(BillVendorDraft(name: "Cloud Hosting Ltd", email: "billing@cloud.test", currency: usd))
            #expect(vendor.name == "Cloud Hosting Ltd" && vendor.email == "billing@cloud.test")
            let bill = try await fixture.client.createBill(BillDraft(vendorID: vendor.id, number: "CH-778", issueDate: "2026-03-02", amount: Money(Decimal(string: "412.405")!, usd),
                                                                     categoryID: 1, description: "March hosting"))
            #expect(bill.vendorID == vendor.id && bill.billNumber == "CH-778" && bill.status == "unpaid")
            #expect(bill.amount.amount == Decimal(string: "412.41"), "FreshBooks rounds the bill total to cents")
            #expect(abs((bill.updated ?? .distantPast).timeIntervalSinceNow) < 5, "updated is US/Eastern and must map to now")
            #expect(try await fixture.client.bill(id: bill.id) == bill)
            #expect(try await fixture.client.bills().collect().map(\.id) == [bill.id])
            #expect(try await fixture.client.billVendor(id: vendor.id) == vendor)
            #expect(try await fixture.client.billVendors().collect().map(\.id) == [vendor.id])
            await #expect(throws: ConnectorError.self) { _ = try await fixture.client.bill(id: 999) }
            await #expect(throws: ConnectorError.self) {
                _ = try await fixture.client.createBill(BillDraft(vendorID: 999, number: nil, issueDate: "2026-03-02", amount: Money(1, usd), categoryID: 1, description: "x"))
            }
        }
    }

    /// A one-line invoice of `amount` USD to a new client.
    static func invoice(_ fixture: FreshBooksFixture, number: String, amount: Decimal) async throws -> Invoice {
        let customer = try await fixture.makeClient()
        return try await fixture.client.createInvoice(InvoiceDraft(customerID: customer.id, invoiceNumber: number, currencyCode: "USD",
                                                                   lines: [InvoiceLine(name: "Work", quantity: 1, unitCost: Money(amount, try CurrencyCode("USD")))]),
                                                      previousAttemptUncertain: false)
    }

    @Test func paymentStatesAreReadFromThePublishedFields() async throws {
        try await FreshBooksFixture.with { fixture in
            let invoice = try await Self.invoice(fixture, number: "INV-1", amount: 100)
            let received = try #require(fixture.sandbox.recordPayment(invoiceID: invoice.id, amount: "60.00"))
            #expect(try await fixture.client.payment(id: received).state == .received)
            #expect(fixture.sandbox.changePayment(id: received, type: "Refund"))
            #expect(try await fixture.client.payment(id: received).state == .refunded)
            // Payments carry only published fields: no invented gateway `status`.
            let stored = try #require(fixture.sandbox.records()["payments"]?.array?.first?.object)
            #expect(stored["status"] == nil)
            #expect(Set(stored.keys).isSubset(of: ["id", "logid", "invoiceid", "clientid", "amount", "date", "type", "note", "transactionid", "from_credit", "creditid",
                                                   "overpaymentid", "gateway", "updated", "vis_state"]))
        }
    }

    @Test func aFailedAutobillMarksTheInvoiceAndRecordsNoPayment() async throws {
        try await FreshBooksFixture.with { fixture in
            let invoice = try await Self.invoice(fixture, number: "INV-2", amount: 100)
            #expect(try await fixture.client.invoice(id: invoice.id).autobillStatus == nil)
            #expect(fixture.sandbox.settleAutobill(invoiceID: invoice.id, status: "failed"))
            var read = try await fixture.client.invoice(id: invoice.id)
            #expect(read.autobillStatus == .failed && read.status == 7 && read.v3Status == "failed")
            #expect(read.outstanding?.amount == 100 && read.paid?.amount == 0, "a declined charge pays nothing")
            #expect(try await fixture.client.payments().collect().isEmpty)
            #expect(fixture.sandbox.settleAutobill(invoiceID: invoice.id, status: "retry"))
            #expect(try await fixture.client.invoice(id: invoice.id).autobillStatus == .retry)
            #expect(fixture.sandbox.settleAutobill(invoiceID: invoice.id, status: "success"))
            read = try await fixture.client.invoice(id: invoice.id)
            #expect(read.autobillStatus == .success && read.paymentStatus == "auto-paid" && read.outstanding?.amount == 0)
            #expect(try await fixture.client.payments().collect().map(\.amount.amount) == [100])
            #expect(!fixture.sandbox.settleAutobill(invoiceID: invoice.id, status: "declined"), "not a published autobill_status")
            #expect(!fixture.sandbox.settleAutobill(invoiceID: 999_999, status: "failed"))
        }
    }

    @Test func billsArePolledFromTheirWatermark() async throws {
        try await FreshBooksFixture.with { fixture in
            let poller = FreshBooksPoller(resource: .bills, client: fixture.client)
            let first = try await poller.poll(cursor: nil, now: Date())
            #expect(first.events.isEmpty)
            let id = try #require(fixture.sandbox.receiveBill(vendor: "Paper Co", email: nil, number: "P-1", amount: "19.99", issueDate: "2026-03-01"))
            let second = try await poller.poll(cursor: first.cursor, now: Date())
            #expect(second.events.map(\.ref) == [.freshbooks(.bill, id)])
            #expect(second.events.first?.record(as: Bill.self)?.amount.amount == Decimal(string: "19.99"), "the listed bill travels with its event")
            #expect(try await poller.poll(cursor: second.cursor, now: Date()).events.isEmpty)
        }
    }
}
