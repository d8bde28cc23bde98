import ConnectorKit
import FreshBooks
import Foundation
import Sandbox
import TestSupport
import Testing

@Suite struct FreshBooksClientTests {
    @Test func clientsAreCreatedListedFilteredAndRead() async throws {
        try await FreshBooksFixture.with { fixture in
            let created = try await fixture.makeClient(email: "first@client.test")
            _ = try await fixture.makeClient(email: "second@client.test")
            #expect(created.organization == "Client Co" && created.visState == 0)
            #expect(abs((created.updated ?? .distantPast).timeIntervalSinceNow) < 5, "updated is US/Eastern and must map to now")
            #expect(try await fixture.client.clients().collect().count == 2)
            #expect(try await fixture.client.clients(AccountingSearch(email: "second@client.test")).collect().map(\.email) == ["second@client.test"])
            #expect(try await fixture.client.client(id: created.id).email == "first@client.test")
            do {
                _ = try await fixture.client.client(id: 999)
                Issue.record("expected notFound")
            } catch let error as ConnectorError {
                #expect(error.kind == "not_found" && "\(error)".contains("Client not found"))
            }
        }
    }

    @Test func listsPageThroughEveryRecord() async throws {
        try await FreshBooksFixture.with { fixture in
            for index in 0..<205 { _ = try await fixture.client.createClient(ClientDraft(organization: "Org \(index)")) }
            let all = try await fixture.client.clients().collect()
            #expect(all.count == 205 && Set(all.map(\.id)).count == 205)
            #expect(fixture.sandbox.requestCounts["GET /accounting/account/\(fixture.sandbox.accountID)/users/clients"] == 3)
        }
    }

    @Test func invoicesAreDraftsWithExactMoneyUntilMarkedSent() async throws {
        try await FreshBooksFixture.with { fixture in
            let customer = try await fixture.makeClient()
            let usd = try CurrencyCode("USD")
            let lines = try ["0.10", "125.50", "1234567.8900001"].enumerated().map { index, price in
                InvoiceLine(name: "Line \(index)", quantity: 1, unitCost: try Money(parsing: price, currency: usd))
            }
            let draft = InvoiceDraft(customerID: customer.id, invoiceNumber: "AGY-2026-11-0001", currencyCode: "USD", dueOffsetDays: 30, poNumber: "PO-7", notes: "Thanks", terms: "Net 30", lines: lines)
            let invoice = try await fixture.client.createInvoice(draft, previousAttemptUncertain: false)
            #expect(invoice.isDraft && invoice.v3Status == "draft" && invoice.invoiceNumber == "AGY-2026-11-0001" && invoice.customerID == customer.id)
            let read = try await fixture.client.invoice(id: invoice.id)
            #expect(read.lines?.map { Money.string($0.unitCost.amount) } == ["0.1", "125.5", "1234567.8900001"])
            #expect(read.poNumber == "PO-7" && read.terms == "Net 30")
            // Listing leaves lines out unless asked (include[]=lines).
            #expect(try await fixture.client.invoices().collect().first?.lines == nil)
            #expect(try await fixture.client.invoice(number: "AGY-2026-11-0001")?.id == invoice.id)

            let replaced = try await fixture.client.replaceInvoiceLines(id: invoice.id, lines: [InvoiceLine(name: "Only", quantity: 2, unitCost: Money(Decimal(string: "10.25")!, usd))])
            #expect(replaced.lines?.count == 1 && replaced.amount?.amount == Decimal(string: "20.5"))
            let sent = try await fixture.client.markInvoiceSent(id: invoice.id)
            #expect(!sent.isDraft && sent.v3Status == "sent" && sent.status == 2)
            #expect(try await fixture.client.invoices(AccountingSearch(v3Status: "sent")).collect().map(\.id) == [invoice.id])
        }
    }

    @Test func aLostCreateResponseLeavesOneInvoice() async throws {
        try await FreshBooksFixture.with { fixture in
            let customer = try await fixture.makeClient()
            var faults = FaultPlan()
            faults.loseNextCreateResponses = 1
            fixture.sandbox.setFaults(faults)
            let draft = InvoiceDraft(customerID: customer.id, invoiceNumber: "AGY-LOST-1", currencyCode: "USD", lines: [InvoiceLine(name: "Work", quantity: 1, unitCost: Money(100, try CurrencyCode("USD")))])
            let invoice = try await fixture.client.createInvoice(draft, previousAttemptUncertain: false)
            #expect(invoice.invoiceNumber == "AGY-LOST-1")
            // A retry of the whole job finds it too.
            let again = try await fixture.client.createInvoice(draft, previousAttemptUncertain: true)
            #expect(again.id == invoice.id)
            #expect(try await fixture.client.invoices().collect().count == 1)
        }
    }

    @Test func errorsNameTheFieldFromFreshBooksBody() async throws {
        try await FreshBooksFixture.with { fixture in
            do {
                _ = try await fixture.client.createInvoice(InvoiceDraft(customerID: 424242, invoiceNumber: "X-1", currencyCode: "USD", lines: []), previousAttemptUncertain: false)
                Issue.record("expected validation")
            } catch let ConnectorError.validation(field, message) {
                #expect(field == "customerid" && message.contains("Client not found"))
            }
        }
    }

    @Test func expensesAreBilledBackToClientAndProject() async throws {
        try await FreshBooksFixture.with { fixture in
            let customer = try await fixture.makeClient()
            let project = try await fixture.client.createProject(ProjectDraft(title: "Website", clientID: customer.id))
            let category = try #require(try await fixture.client.expenseCategories().collect().first)
            let expense = try await fixture.client.createExpense(ExpenseDraft(categoryID: category.id, date: "2026-11-20", amount: Money(Decimal(string: "54.00")!, try CurrencyCode("USD")),
                                                                              vendor: "Fonts Inc", clientID: customer.id, projectID: project.id))
            #expect(expense.clientID == customer.id && expense.projectID == project.id && expense.amount.amount == 54)
            #expect(try await fixture.client.expense(id: expense.id).vendor == "Fonts Inc")
        }
    }

    @Test func projectsTimeEntriesTeamAndIdentity() async throws {
        try await FreshBooksFixture.with { fixture in
            let customer = try await fixture.makeClient()
            let project = try await fixture.client.createProject(ProjectDraft(title: "Brand refresh", dueDate: "2026-12-31", clientID: customer.id))
            #expect(project.client_id == customer.id && project.complete == false)
            let updated = try await fixture.client.updateProject(id: project.id, ProjectDraft(title: "Brand refresh v2", complete: true))
            #expect(updated.title == "Brand refresh v2" && updated.complete == true && updated.due_date == "2026-12-31")
            #expect(try await fixture.client.project(id: project.id).title == "Brand refresh v2")
            #expect(try await fixture.client.projects(ProjectSearch(clientID: customer.id)).collect().map(\.id) == [project.id])
            #expect(try await fixture.client.timeEntries(projectID: project.id).collect().isEmpty)
            #expect(try await fixture.client.teamMembers().map(\.email).contains("blake@sandbox-agency.test"))
            let identity = try await FreshBooksAuth(pipeline: fixture.pipeline).identity(connection: fixture.connection)
            #expect(identity.business_memberships.count == 2)
            #expect(identity.business_memberships.map(\.business.account_id) == [fixture.sandbox.accountID, "OTH456"])
        }
    }

    @Test func usEasternTimesMapToTheRightInstantAcrossDST() {
        let iso = ISO8601DateFormatter()
        // 2026-03-08 02:00 EST → EDT; 2026-11-01 02:00 EDT → EST.
        #expect(FreshBooksWire.parseEastern("2026-03-08 01:30:00") == iso.date(from: "2026-03-08T06:30:00Z"))
        #expect(FreshBooksWire.parseEastern("2026-03-08 03:30:00") == iso.date(from: "2026-03-08T07:30:00Z"))
        #expect(FreshBooksWire.parseEastern("2026-11-01 00:30:00") == iso.date(from: "2026-11-01T04:30:00Z"))
        #expect(FreshBooksWire.parseEastern("2026-11-01 03:30:00") == iso.date(from: "2026-11-01T08:30:00Z"))
        #expect(FreshBooksWire.parseEastern("2020-11-01 13:11:10") == iso.date(from: "2020-11-01T18:11:10Z"))
        #expect(FreshBooksWire.easternDay(iso.date(from: "2026-11-21T03:00:00Z")!) == "2026-11-20")
    }
}
