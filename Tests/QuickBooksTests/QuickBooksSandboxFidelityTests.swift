import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1
import QuickBooks
import Sandbox
import Testing

/// What the sandbox does that our client does not exercise: invoices and payments, deletes as
/// CDC reports them, and revocation at the token endpoint.
@Suite struct QuickBooksSandboxFidelityTests {
    /// Sends `body` to `/v3/company/<realm>/<path>` with the connection's token; the status and JSON.
    static func call(_ fixture: QuickBooksFixture, _ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (Int, JSONValue) {
        let token = try await fixture.store.credential(for: fixture.connection.id).credential.accessToken ?? ""
        var request = OutboundRequest(method: method, url: fixture.server.baseURL + "/v3/company/\(fixture.sandbox.realmID)/" + path, passThroughStatuses: [400, 401])
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = body.map { ByteBuffer(string: $0) }
        let response = try await fixture.pipeline.sendUnauthenticated(request, connection: fixture.connection, provider: QuickBooksProvider.description)
        return (response.status, try JSONValue.parse(Data(response.body.readableBytesView)))
    }

    @Test func invoicesAndPaymentsAreKeptWithTotals() async throws {
        try await QuickBooksFixture.with { fixture in
            let customer = try #require(try await fixture.client().customers().collect().first?.Id)
            let (status, invoice) = try await Self.call(fixture, .POST, "invoice?minorversion=75", #"{"CustomerRef":{"value":"\#(customer)"},"Line":[{"Amount":100.10,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"Qty":1,"UnitPrice":100.10}},{"Amount":0.20,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{}}]}"#)
            #expect(status == 200 && invoice["Invoice"]?["TotalAmt"]?.decimal == Decimal(string: "100.3") && invoice["Invoice"]?["Balance"]?.decimal == Decimal(string: "100.3"))
            let invoiceID = try #require(invoice["Invoice"]?["Id"]?.text)
            let (paid, payment) = try await Self.call(fixture, .POST, "payment", #"{"CustomerRef":{"value":"\#(customer)"},"TotalAmt":100.30,"Line":[{"Amount":100.30,"LinkedTxn":[{"TxnId":"\#(invoiceID)","TxnType":"Invoice"}]}]}"#)
            #expect(paid == 200 && payment["Payment"]?["TotalAmt"]?.decimal == Decimal(string: "100.3"))
            let (_, read) = try await Self.call(fixture, .GET, "invoice/\(invoiceID)")
            #expect(read["Invoice"]?["CustomerRef"]?["name"]?.text == "Acme Corp")
        }
    }

    @Test func aBillPaymentLowersTheBillsBalanceAsANewVersion() async throws {
        try await QuickBooksFixture.with { fixture in
            let client = fixture.client()
            let bill = try #require(try await client.bills().collect().first { $0.Balance == Decimal(string: "1037.5") })
            let bank = try #require(try await client.accounts(type: "Bank").collect().first?.Id)
            let tooMuch = BillPayment(vendor: bill.VendorRef.value, bill: try #require(bill.Id), amount: 2000, bankAccount: bank)
            await #expect(throws: ConnectorError.self) { try await client.createBillPayment(tooMuch, requestID: "pay-0") }
            _ = try await client.createBillPayment(BillPayment(vendor: bill.VendorRef.value, bill: try #require(bill.Id), amount: Decimal(string: "37.5")!, bankAccount: bank), requestID: "pay-1")
            let partly = try await client.bill(id: try #require(bill.Id))
            #expect(partly.Balance == 1000 && partly.TotalAmt == Decimal(string: "1037.5") && partly.SyncToken == "1")
            _ = try await client.createBillPayment(BillPayment(vendor: bill.VendorRef.value, bill: try #require(bill.Id), amount: 1000, bankAccount: bank), requestID: "pay-2")
            #expect(try await client.bill(id: try #require(bill.Id)).Balance == 0)
            let changes = try await client.changes(.bill, since: Date().addingTimeInterval(-60), as: Bill.self)
            #expect(changes.map(\.id) == [bill.Id])
        }
    }

    @Test func aDeletedBillIsADeletedStubInCDC() async throws {
        try await QuickBooksFixture.with { fixture in
            let bill = try #require(try await fixture.client().bills().collect().first)
            let id = try #require(bill.Id)
            let (stale, fault) = try await Self.call(fixture, .POST, "bill?operation=delete", #"{"Id":"\#(id)","SyncToken":"7"}"#)
            #expect(stale == 400 && fault["Fault"]?["Error"]?.array?.first?["code"]?.text == "5010")
            let (status, deleted) = try await Self.call(fixture, .POST, "bill?operation=delete", #"{"Id":"\#(id)","SyncToken":"\#(bill.SyncToken ?? "0")"}"#)
            #expect(status == 200 && deleted["Bill"]?["status"]?.text == "Deleted")
            let changes = try await fixture.client().changes(.bill, since: Date().addingTimeInterval(-60), as: Bill.self)
            guard case .deleted(let deletedID, _)? = changes.first else {
                Issue.record("expected a deleted stub, got \(changes)")
                return
            }
            #expect(deletedID == id && changes.count == 1)
            let (gone, _) = try await Self.call(fixture, .GET, "bill/\(id)")
            #expect(gone == 400)
        }
    }

    @Test func pagingNumbersAndTimesFromOutsideAreRefusedNotTrusted() async throws {
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        try await QuickBooksFixture.with { fixture in
            for clause in ["STARTPOSITION -1", "STARTPOSITION 1e20", "MAXRESULTS -1", "MAXRESULTS 99999999999999999999"] {
                let (status, fault) = try await Self.call(fixture, .GET, "query?query=" + encoded("SELECT * FROM Bill \(clause)"))
                #expect(status == 400 && fault["Fault"]?["Error"]?.array?.first?["code"]?.text == "4000", "\(clause)")
            }
            let (far, rows) = try await Self.call(fixture, .GET, "query?query=" + encoded("SELECT * FROM Bill STARTPOSITION 9223372036854775807 MAXRESULTS 9223372036854775807"))
            #expect(far == 200 && rows["QueryResponse"]?.object?.isEmpty == true)
            // CDC reaches back 30 days; a time with a non-ASCII space never reaches a date formatter.
            for since in ["1900-01-01T00:00:00Z", "2026-01-01T00:00:00\u{00A0}+05:00"] {
                let (status, _) = try await Self.call(fixture, .GET, "cdc?entities=Bill&changedSince=" + encoded(since))
                #expect(status == 400, "\(since)")
            }
        }
    }

    @Test func aRevokedRefreshTokenIsRefusedAtTheTokenEndpoint() async throws {
        try await QuickBooksFixture.with { fixture in
            let credential = try await fixture.store.credential(for: fixture.connection.id).credential
            let app = fixture.sandbox.configuration
            var revoke = OutboundRequest(method: .POST, url: fixture.server.baseURL + "/v2/oauth2/tokens/revoke",
                                         body: ByteBuffer(string: #"{"token":"\#(credential.refreshToken ?? "")"}"#), authenticated: false)
            revoke.headers.add(name: "Content-Type", value: "application/json")
            revoke.headers.add(name: "Authorization", value: "Basic " + Data("\(app.clientID):\(app.clientSecret)".utf8).base64EncodedString())
            #expect(try await fixture.pipeline.sendUnauthenticated(revoke, connection: fixture.connection, provider: QuickBooksProvider.description).status == 200)
            let client = OAuth2TokenClient(endpoint: try #require(QuickBooksProvider.description.tokenEndpoint), tokenURL: fixture.server.baseURL + "/oauth2/v1/tokens/bearer")
            await #expect(throws: ConnectorError.self) {
                _ = try await fixture.pipeline.sendUnauthenticated(try client.refreshRequest(for: credential), connection: fixture.connection, provider: QuickBooksProvider.description)
            }
            // The grant's access tokens went with it: the next call meets the 401 fault.
            let (status, body) = try await Self.call(fixture, .GET, "companyinfo/\(fixture.sandbox.realmID)")
            #expect(status == 401 && body["fault"]?["error"]?.array?.first?["code"]?.text == "3200")
        }
    }
}
