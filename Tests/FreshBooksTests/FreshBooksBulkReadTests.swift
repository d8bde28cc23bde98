import ConnectorKit
import Foundation
import FreshBooks
import Sandbox
import TestSupport
import Testing

/// FreshBooks reads use what the list already answered (issue 11): the poll's events carry
/// each invoice whole, so `invoice-updated` reads no invoice by id; bulk lists stream.
@Suite struct FreshBooksBulkReadTests {
    /// Calls that read one invoice by id.
    static func invoiceReads(_ sandbox: FreshBooksSandbox) -> Int {
        sandbox.requestCounts.filter { $0.key.hasPrefix("GET ") && $0.key.contains("/invoices/invoices/") }.values.reduce(0, +)
    }

    /// A queued list is retried like any read (`SystemActionJob` gives only safe actions more than one attempt).
    @Test func everyListIsSafeToRepeat() {
        let lists = FreshBooksConnector().actions.filter { $0.descriptor.name.hasPrefix("list-") }
        #expect(lists.count >= 3)
        for list in lists { #expect(list.descriptor.safeToRepeat, "\(list.descriptor.name) is a read") }
    }

    @Test func invoiceUpdatedUsesThePolledInvoicesAndReadsNoneById() async throws {
        let fixture = try await FreshBooksFixture.start()
        defer { Task { await fixture.stop() } }
        let customer = try await fixture.makeClient()
        let usd = try CurrencyCode("USD")
        for index in 0..<3 {
            let draft = InvoiceDraft(customerID: customer.id, invoiceNumber: "S-\(index)", currencyCode: "USD", lines: [InvoiceLine(name: "W", quantity: 1, unitCost: Money(10, usd))])
            _ = try await fixture.client.createInvoice(draft, previousAttemptUncertain: false)
        }
        let before = Self.invoiceReads(fixture.sandbox)
        let trigger = try FreshBooksConnector().action(named: "invoice-updated")
        let result = try await trigger.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments()))
        #expect(result.records.count == 3)
        #expect(Self.invoiceReads(fixture.sandbox) == before, "no invoice is read again by id")
        let page = try await FreshBooksPoller(resource: .invoices, client: fixture.client).poll(cursor: nil, now: Date())
        #expect(page.events.allSatisfy { $0.record(as: Invoice.self)?.lines?.count == 1 })
    }

    @Test func bulkListsStreamEachRecord() async throws {
        let fixture = try await FreshBooksFixture.start()
        defer { Task { await fixture.stop() } }
        _ = try await fixture.makeClient(email: "a@client.test")
        _ = try await fixture.makeClient(email: "b@client.test")
        let seen = Seen()
        let list = try FreshBooksConnector().action(named: "list-clients")
        #expect(list.descriptor.streams)
        let result = try await list.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments(), emit: { name, record in
            await seen.add(name, record.ref.description)
        }))
        #expect(result.records.isEmpty)
        #expect(await seen.items.count >= 2)
        for name in ["list-projects", "list-expenses", "list-payments"] {
            let action = try FreshBooksConnector().action(named: name)
            #expect(action.descriptor.streams)
            _ = try await action.run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments()))
        }
    }
}

/// What a streaming action handed its sink.
actor Seen {
    var items: [(String, String)] = []

    func add(_ name: String, _ ref: String) { items.append((name, ref)) }
}
