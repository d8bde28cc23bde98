import ConnectorKit
import FreshBooks
import Foundation
import Sandbox
import TestSupport
import Testing

@Suite struct FreshBooksStaffTests {
    @Test func theStaffListNamesWhoAnExpenseIsBy() async throws {
        try await FreshBooksFixture.with { fixture in
            let added = fixture.sandbox.addStaff(firstName: "Dana", lastName: "Contractor", email: "dana@elsewhere.test")
            let staff = try await fixture.client.staff().collect()
            #expect(staff.first { $0.id == 1 }?.email == "avery@sandbox-agency.test", "the owner is staff 1")
            #expect(staff.first { $0.id == added }.map { [$0.firstName, $0.lastName, $0.email] } == ["Dana", "Contractor", "dana@elsewhere.test"])
            let expense = try await fixture.client.createExpense(ExpenseDraft(categoryID: 1, date: "2026-03-01", amount: Money(5, try CurrencyCode("USD")), staffID: added))
            #expect(try await fixture.client.expense(id: expense.id).staffID == added)
        }
    }

    @Test func aStaffRecordReadsItsIdFromIdOrStaffid() throws {
        let listed = try JSONDecoder().decode([StaffMember].self, from: Data(#"[{"id":4,"fname":"Dana","email":"d@x.test"},{"staffid":5,"vis_state":1}]"#.utf8))
        #expect(listed.map(\.id) == [4, 5])
        #expect(listed.map(\.visState) == [0, 1])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StaffMember.self, from: Data(#"{"fname":"No Id"}"#.utf8)) }
    }
}
