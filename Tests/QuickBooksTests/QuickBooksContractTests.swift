import ConnectorKit
import Foundation
import QuickBooks
import Sandbox
import TestSupport
import Testing

/// The sandbox against Intuit's own data model: every object it returns uses the XSD's element
/// names with the XSD's scalar types.
@Suite(.enabled(if: SharedSpecs.available, "../shared/specs is not beside the project")) struct QuickBooksContractTests {
    @Test func everyEntityTheSandboxReturnsMatchesTheXSD() async throws {
        let schema = try QuickBooksSchema.load(try SharedSpecs.file("quickbooks"))
        #expect(schema.fields(of: "Bill")?["VendorRef"] == "ReferenceType" && schema.fields(of: "Bill")?["Id"] != nil, "inherited IntuitEntity fields are read")
        try await QuickBooksFixture.with { fixture in
            let client = fixture.client()
            let vendor = try await fixture.makeVendor()
            let rent = try await fixture.account("Rent or Lease")
            _ = try await client.createBill(Bill(vendor: vendor.Id, lines: [BillLine(amount: Decimal(string: "12.34")!, account: rent, description: "Desk", classRef: nil, billable: "NotBillable")],
                                                 dueDate: "2026-06-01", docNumber: "XSD-1"), requestID: "xsd-bill")
            _ = try await client.createJournalEntry(JournalEntry(lines: [JournalEntryLine(postingType: "Debit", amount: 5, account: rent),
                                                                         JournalEntryLine(postingType: "Credit", amount: 5, account: try await fixture.account("Contractors"))]), requestID: "xsd-je")
            _ = try await client.createCustomer(NameDraft(displayName: "XSD Customer", email: "x@xsd.test"), requestID: "xsd-customer")
            let records = fixture.sandbox.records()
            var checked = 0
            for (entity, values) in try #require(records.object) {
                for value in values.array ?? [] {
                    #expect(schema.violations(value, as: entity, path: entity).isEmpty, "\(schema.violations(value, as: entity, path: entity))")
                    checked += 1
                }
            }
            #expect(checked >= 14)
        }
    }

    @Test func responseEnvelopesMatchTheXSD() async throws {
        let schema = try QuickBooksSchema.load(try SharedSpecs.file("quickbooks"))
        try await QuickBooksFixture.with { fixture in
            let credential = try await fixture.store.credential(for: fixture.connection.id).credential
            let realm = fixture.sandbox.realmID
            for path in ["query?query=SELECT%20*%20FROM%20Vendor", "cdc?entities=Bill&changedSince=\(QuickBooksTime.format(Date().addingTimeInterval(-86400 * 29)))",
                         "companyinfo/\(realm)", "query?query=SELECT%20COUNT(*)%20FROM%20Bill"] {
                var request = OutboundRequest(method: .GET, url: fixture.server.baseURL + "/v3/company/\(realm)/" + path, passThroughStatuses: [400])
                request.headers.add(name: "Authorization", value: "Bearer \(credential.accessToken ?? "")")
                let response = try await fixture.pipeline.sendUnauthenticated(request, connection: fixture.connection, provider: QuickBooksProvider.description)
                var body = try JSONValue.parse(Data(response.body.readableBytesView))
                // The JSON envelope's `time` is IntuitResponse's attribute; entities sit under their names.
                body["time"] = nil
                #expect(response.status == 200 && schema.violations(body, as: "IntuitResponse", path: path).isEmpty, "\(path): \(schema.violations(body, as: "IntuitResponse", path: path))")
            }
        }
    }

    @Test func malformedQueriesAnswerAParseFault() async throws {
        try await QuickBooksFixture.with { fixture in
            do {
                _ = try await fixture.client().query("SELECT * FROM Bill WHERE TotalAmt > 1 OR TotalAmt < 0", as: Bill.self).collect()
                Issue.record("expected a parse fault")
            } catch let ConnectorError.validation(_, message) {
                #expect(message.contains("[4000]"))
            }
        }
    }
}
