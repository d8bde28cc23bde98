import Acumatica
import ConnectorKit
import Foundation
import Sandbox
import TestSupport
import Testing

@Suite struct AcumaticaClientTests {
    @Test func valuesAreWrappedAndMoneyIsDecimal() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let bill = try await client.bill(referenceNbr: "000002")
        #expect(bill.Status?.value == "On Hold" && bill.Vendor?.value == "PRINTICO")
        #expect(bill.Details?.count == 2 && bill.Details?.first?.UnitCost?.value == Decimal(string: "0.31"))
        #expect(bill.total == Money(Decimal(string: "200")!, try CurrencyCode("USD")))
        #expect(bill.LastModifiedDateTime?.value.flatMap { AcumaticaDate.parse($0) } != nil)
        await client.signOut()
    }

    @Test func expandReturnsTheLinesWithNoSecondRead() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let listed = try await client.bills().collect()
        #expect(listed.allSatisfy { $0.Details == nil }, "contract v4: no details unless expanded")
        let expanded = try await client.bills(AcumaticaQuery(filter: AcumaticaFilter.equals("Vendor", "TECHSERV"), expand: ["Details"])).collect()
        #expect(expanded.count == 1 && expanded[0].Details?.first?.Qty?.value == 12)
        #expect(fixture.sandbox.requestCounts["GET /entity/Default/24.200.001/Bill"] == 2)
        let selected = try await client.bills(AcumaticaQuery(select: ["ReferenceNbr", "Details/Qty"], expand: ["Details"])).collect()
        #expect(selected.allSatisfy { $0.Vendor == nil && $0.ReferenceNbr != nil && $0.Details?.allSatisfy { $0.UnitCost == nil && $0.Qty != nil } == true })
        await client.signOut()
    }

    @Test func filterByLastModifiedPagesWithTopAndSkip() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        var client = fixture.client
        client.pageSize = 2
        let before = Date().addingTimeInterval(-60)
        for index in 0..<5 { _ = try await client.createVendor(id: "V\(index)", name: "Vendor \(index)") }
        let all = try await client.vendors(AcumaticaQuery(filter: AcumaticaFilter.modified(after: before))).collect()
        #expect(all.count == 8 && Set(all.compactMap(\.VendorID?.value)).count == 8)
        // 8 at 2 a page: four full pages and an empty one.
        #expect(fixture.sandbox.requestCounts["GET /entity/Default/24.200.001/Vendor"].map { $0 >= 5 } == true)
        let later = try await client.vendors(AcumaticaQuery(filter: AcumaticaFilter.modified(after: Date().addingTimeInterval(60)))).collect()
        #expect(later.isEmpty)
        await client.signOut()
    }

    @Test func insertOnlyAfterALostResponseMakesOneRecord() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        fixture.sandbox.setFaults({ var plan = FaultPlan(); plan.loseNextCreateResponses = 1; return plan }())
        let vendor = try await client.createVendor(id: "NEWCO", name: "New Co")
        #expect(vendor.VendorName?.value == "New Co")
        #expect(fixture.sandbox.records("Vendor").filter { $0["VendorID"]?["value"]?.text == "NEWCO" }.count == 1)
        // The same key again: the insert-only write is refused with 412, never an update.
        var again = Vendor()
        again.VendorID = StringValue("NEWCO")
        again.VendorName = StringValue("Renamed")
        let conflict = await #expect(throws: ConnectorError.self) { try await client.put("Vendor", again, intent: .insertOnly) }
        #expect(conflict?.kind == "conflict")
        #expect(try await client.vendor(id: "NEWCO").VendorName?.value == "New Co")

        // A bill has no key of ours: the vendor reference finds it after a lost answer.
        fixture.sandbox.setFaults({ var plan = FaultPlan(); plan.loseNextCreateResponses = 1; return plan }())
        var line = BillDetail()
        line.Qty = DecimalValue(2)
        line.UnitCost = DecimalValue(Decimal(string: "103.55"))
        let draft = BillDraft(vendor: "NEWCO", vendorRef: "INV-123", date: "2026-04-08", description: "ml-connector sync", lines: [line])
        let bill = try await client.createBill(draft)
        let again2 = try await client.createBill(draft)
        #expect(bill.ReferenceNbr?.value == again2.ReferenceNbr?.value && bill.Amount?.value == Decimal(string: "207.1"))
        #expect(fixture.sandbox.records("Bill").filter { $0["VendorRef"]?["value"]?.text == "INV-123" }.count == 1)
        await client.signOut()
    }

    @Test func aRefusedSaveNamesTheField() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let error = await #expect(throws: ConnectorError.self) { try await client.createBill(BillDraft(vendor: "NOBODY", vendorRef: "X-1")) }
        guard case .validation(let field, let message)? = error else { Issue.record("expected a validation error"); return }
        #expect(field == "Vendor" && message.contains("cannot be found"))
        var line = BillDetail()
        line.Qty = DecimalValue(-1)
        let lineError = await #expect(throws: ConnectorError.self) { try await client.createBill(BillDraft(vendor: "ACMEPAPER", vendorRef: "X-2", lines: [line])) }
        guard case .validation(let lineField, _)? = lineError else { Issue.record("expected a validation error"); return }
        #expect(lineField == "Details[0].Qty")
        await client.signOut()
    }

    @Test func releaseBillWaitsThrough202Until204() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        let released = try await client.releaseBill(referenceNbr: "000001")
        #expect(released.Status?.value == "Open")
        let polls = fixture.sandbox.requestCounts.filter { $0.key.hasPrefix("GET /entity/Default/24.200.001/Bill/ReleaseBill/status/") }.values.reduce(0, +)
        #expect(polls == 2, "one 202, then the 204")
        // A held bill cannot be released: the entity comes back with the error.
        let held = await #expect(throws: ConnectorError.self) { try await client.releaseBill(referenceNbr: "000002") }
        #expect(held?.kind == "validation")
        // Approve, then release.
        #expect(try await client.approveBill(referenceNbr: "000003").Status?.value == "Balanced")
        #expect(try await client.releaseBill(referenceNbr: "000003").Status?.value == "Open")
        #expect(try await client.approvePurchaseOrder(orderNbr: "PO000004").Status?.value == "Open")
        await client.signOut()
    }

    @Test func anActionRepeatedAfterItRanAnswersTheRecordAsItIs() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        // The release ran, then the job failed before recording it: the retry meets an Open bill,
        // which Acumatica refuses to release again (422); the released bill is the answer.
        #expect(try await client.releaseBill(referenceNbr: "000001").Status?.value == "Open")
        #expect(try await client.releaseBill(referenceNbr: "000001").Status?.value == "Open")
        #expect(try await client.approvePurchaseOrder(orderNbr: "PO000004").Status?.value == "Open")
        #expect(try await client.approvePurchaseOrder(orderNbr: "PO000004").Status?.value == "Open")
        #expect(fixture.sandbox.requestCounts["POST /entity/Default/24.200.001/Bill/ReleaseBill"] == 2, "the repeat reached Acumatica and was refused there")
        // A refusal for a record not yet where the action takes it still fails.
        let held = await #expect(throws: ConnectorError.self) { try await client.releaseBill(referenceNbr: "000002") }
        #expect(held?.kind == "validation")
        await client.signOut()
    }

    @Test func anActionThatNeverFinishesIsGivenUpAsTransient() async throws {
        var configuration = AcumaticaSandbox.Configuration()
        configuration.actionPolls = 1_000_000
        let fixture = try await AcumaticaFixture.start(configuration: configuration)
        defer { Task { await fixture.stop() } }
        var client = fixture.client
        client.actionTimeout = .milliseconds(200)
        // The Location answers 202 for ever: the wait is bounded, and a retry may find the bill released.
        let error = await #expect(throws: ConnectorError.self) { try await client.releaseBill(referenceNbr: "000001") }
        #expect(error?.kind == "transient")
        await client.signOut()
    }

    @Test func actionsRunFromTheirDescriptors() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let connector = AcumaticaConnector()
        let listed = try await connector.action(named: "list-bills").run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments(values: ["status": "Balanced"])))
        #expect(listed.rows.map { $0[1] } == ["000001"])
        let vendors = try await connector.action(named: "list-vendors").run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments()))
        #expect(vendors.records.count == 3)
        let trigger = try await connector.action(named: "bill-changed").run(ActionCall(pipeline: fixture.pipeline, connection: fixture.connection, arguments: ActionArguments()))
        #expect(trigger.records.count == 3 && trigger.cursor != nil)
        #expect(fixture.sandbox.openSessions == 0, "every action signs out")
    }
}
