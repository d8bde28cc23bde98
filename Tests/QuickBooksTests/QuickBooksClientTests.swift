import ConnectorKit
import Foundation
import QuickBooks
import Sandbox
import Testing

@Suite struct QuickBooksClientTests {
    @Test func identityIsTheRealmsCompany() async throws {
        try await QuickBooksFixture.with { fixture in
            let identity = try await QuickBooksConnector().identify(pipeline: fixture.pipeline, connection: fixture.connection)
            #expect(identity.accounts.map(\.accountRef) == [fixture.sandbox.realmID])
            #expect(identity.accounts.first?.name == "Sandbox Builders LLC")
            #expect(try await QuickBooksConnector().ping(pipeline: fixture.pipeline, connection: fixture.connection).contains("Sandbox Builders LLC"))
            // Every call carried minorversion.
            #expect(fixture.sandbox.requestCounts["GET /v3/company/\(fixture.sandbox.realmID)/companyinfo/\(fixture.sandbox.realmID)"] == 2)
        }
    }

    @Test func billsAreCreatedWithExactMoneyAndRefsAndRead() async throws {
        try await QuickBooksFixture.with { fixture in
            let client = fixture.client()
            let vendor = try await fixture.makeVendor()
            let rent = try await fixture.account("Rent or Lease")
            let classID = try #require(try await client.classes().collect().first?.Id)
            let department = try #require(try await client.departments().collect().first?.Id)
            let bill = Bill(vendor: vendor.Id, lines: [
                BillLine(amount: Decimal(string: "103.55")!, account: rent, description: "Consulting", classRef: classID, billable: "NotBillable"),
                BillLine(amount: Decimal(string: "0.10")!, account: rent),
            ], dueDate: "2026-05-01", docNumber: "ML-1001", department: department)
            let created = try await client.createBill(bill, requestID: "bill-ml-1001")
            #expect(created.TotalAmt == Decimal(string: "103.65") && created.Balance == Decimal(string: "103.65"))
            #expect(try created.total() == Money(Decimal(string: "103.65")!, try CurrencyCode("USD")))
            let read = try await client.bill(id: try #require(created.Id))
            #expect(read.DepartmentRef?.value == department && read.Line.first?.AccountBasedExpenseLineDetail?.ClassRef?.value == classID)
            #expect(read.VendorRef.name == "Test Vendor" && read.DueDate == "2026-05-01")
            #expect(abs((read.MetaData?.lastUpdated ?? .distantPast).timeIntervalSinceNow) < 5, "LastUpdatedTime carries a UTC offset and must map to now")
        }
    }

    @Test func aLostCreateResponseLeavesOneBill() async throws {
        try await QuickBooksFixture.with { fixture in
            let client = fixture.client()
            let vendor = try await fixture.makeVendor()
            let bill = Bill(vendor: vendor.Id, lines: [BillLine(amount: 42, account: try await fixture.account("Contractors"))], docNumber: "LOST-1")
            let before = fixture.sandbox.count("Bill")
            var faults = FaultPlan()
            faults.loseNextCreateResponses = 1
            fixture.sandbox.setFaults(faults)
            // The pipeline repeats the POST (it carries a requestid); QBO answers the first result again.
            let created = try await client.createBill(bill, requestID: "job-77-bill")
            let again = try await client.createBill(bill, requestID: "job-77-bill")
            #expect(created.Id == again.Id)
            #expect(fixture.sandbox.count("Bill") == before + 1)
            #expect(fixture.sandbox.requestCounts["POST /v3/company/\(fixture.sandbox.realmID)/bill"] == 3)
        }
    }

    @Test func theSandboxRemembersRequestIDsOfTheLatestWritesOnly() async throws {
        var configuration = QuickBooksSandbox.Configuration()
        configuration.rememberedRequestIDs = 2
        try await QuickBooksFixture.with(configuration) { fixture in
            let client = fixture.client()
            let first = try await client.createVendor(NameDraft(displayName: "Memory 1"), requestID: "memory-1")
            #expect(try await client.createVendor(NameDraft(displayName: "Memory 1"), requestID: "memory-1").Id == first.Id)
            _ = try await client.createVendor(NameDraft(displayName: "Memory 2"), requestID: "memory-2")
            let third = try await client.createVendor(NameDraft(displayName: "Memory 3"), requestID: "memory-3")
            #expect(try await client.createVendor(NameDraft(displayName: "Memory 3"), requestID: "memory-3").Id == third.Id)
            // memory-1 has been forgotten: its repeat is a new write, refused as a duplicate name.
            let forgotten = await #expect(throws: ConnectorError.self) { try await client.createVendor(NameDraft(displayName: "Memory 1"), requestID: "memory-1") }
            #expect(forgotten?.kind == "validation")
        }
    }

    @Test func aStaleSyncTokenIsReReadAndTheChangeReApplied() async throws {
        try await QuickBooksFixture.with { fixture in
            let client = fixture.client()
            let vendor = try await fixture.makeVendor()
            // Someone else renames the vendor's company after we read it (SyncToken 0 → 1).
            struct CompanyName: Encodable, Sendable { var CompanyName: String }
            struct Email: Encodable, Sendable { var PrimaryEmailAddr: EmailAddress }
            _ = try await client.update(.vendor, id: vendor.Id, change: CompanyName(CompanyName: "Renamed Elsewhere"), requestID: "other", as: Vendor.self)
            // Our change, made over the stale token, is re-applied over the new one.
            let updated = try await client.update(.vendor, id: vendor.Id, change: Email(PrimaryEmailAddr: EmailAddress(Address: "new@vendor.test")),
                                                  requestID: "ours", syncToken: vendor.SyncToken, as: Vendor.self)
            #expect(updated.SyncToken == "2")
            #expect(updated.PrimaryEmailAddr?.Address == "new@vendor.test" && updated.CompanyName == "Renamed Elsewhere", "sparse: the other change survives")
            #expect(fixture.sandbox.requestCounts["GET /v3/company/\(fixture.sandbox.realmID)/vendor/\(vendor.Id)"] == 2)
        }
    }

    @Test func queriesPageWithStartPosition() async throws {
        try await QuickBooksFixture.with { fixture in
            for index in 0..<5 { _ = try await fixture.makeVendor("Paged \(index)") }
            let all = try await fixture.client(pageSize: 2).vendors().collect()
            #expect(all.count == 7 && Set(all.map(\.Id)).count == 7, "two seeded vendors and five new ones")
            #expect(fixture.sandbox.requestCounts["GET /v3/company/\(fixture.sandbox.realmID)/query"] == 4)
        }
    }

    @Test func faultsNameTheFieldTheyAreAbout() async throws {
        try await QuickBooksFixture.with { fixture in
            let client = fixture.client()
            do {
                _ = try await client.createVendor(NameDraft(displayName: "Pacific Office Space"), requestID: "dup")
                Issue.record("expected a duplicate name")
            } catch let ConnectorError.validation(field, message) {
                #expect(field == "DisplayName" && message.contains("6240"))
            }
            do {
                _ = try await client.createBill(Bill(vendor: "999999", lines: [BillLine(amount: 1, account: "1")]), requestID: "bad-vendor")
                Issue.record("expected an invalid reference")
            } catch let ConnectorError.validation(field, _) {
                #expect(field == "VendorRef")
            }
            do {
                _ = try await client.vendor(id: "424242")
                Issue.record("expected not found")
            } catch let error as ConnectorError {
                #expect(error.kind == "not_found")
            }
        }
    }

    @Test func rateLimitStormsAreRetried() async throws {
        try await QuickBooksFixture.with { fixture in
            var faults = FaultPlan()
            faults.failNext = 2
            faults.failStatus = 429
            faults.retryAfterSeconds = 0
            fixture.sandbox.setFaults(faults)
            let company = try await fixture.client().companyInfo()
            #expect(company.CompanyName == "Sandbox Builders LLC")
        }
    }

    /// 20 calls at once through one connection, all answered.
    static func burst(_ fixture: QuickBooksFixture) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = try await fixture.client().companyInfo() } }
            try await group.waitForAll()
        }
    }

    @Test func theRealmsTenPerSecondIsKeptByTheProviderFacts() async throws {
        // Broken first: a connection allowed 100/s meets QBO's 10/s per realm (and recovers by retrying).
        try await QuickBooksFixture.with(rateLimit: "100/1s") { fixture in
            try await Self.burst(fixture)
            #expect((fixture.sandbox.statusCounts[429] ?? 0) > 0)
        }
        try await QuickBooksFixture.with { fixture in
            try await Self.burst(fixture)
            #expect(fixture.sandbox.statusCounts[429] == nil, "500/min with a burst of 2 stays under 10/s")
        }
    }

    @Test func requestsBeyondTheConcurrencyLimitAreRefusedAndRetried() async throws {
        var configuration = QuickBooksSandbox.Configuration()
        configuration.requestsPerSecond = 1000
        // AsyncHTTPClient keeps at most 8 connections per host, under QBO's 10; a limit of 4 shows the refusal.
        configuration.concurrentRequests = 4
        try await QuickBooksFixture.with(configuration, rateLimit: "1000/1s") { fixture in
            var faults = FaultPlan()
            faults.slowMilliseconds = 300
            fixture.sandbox.setFaults(faults)
            try await Self.burst(fixture)
            #expect((fixture.sandbox.statusCounts[429] ?? 0) > 0, "20 slow calls at once: the fifth meets the concurrency limit, and is retried")
        }
    }
}
