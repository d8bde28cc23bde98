import Acumatica
import Asana
import Flows
import Foundation
import Testing

@Suite struct AcumaticaAsanaRosterTests {
    static func employee(_ id: String, _ email: String?, active: Bool = true) -> Employee {
        var employee = Employee()
        employee.EmployeeID = StringValue(id)
        employee.EmployeeName = StringValue("Name \(id)")
        employee.Status = StringValue(active ? "Active" : "Inactive")
        employee.ContactInfo = EmployeeContact(email: email)
        return employee
    }

    static func users(_ pairs: [(String, String)]) throws -> [Asana.User] {
        try JSONDecoder().decode([Asana.User].self, from: JSONSerialization.data(withJSONObject: pairs.map { ["gid": $0.0, "email": $0.1] }))
    }

    @Test func employeesAreMatchedByEmailAndTheRestReported() throws {
        let users = try Self.users([("1", "owner@firm.test"), ("2", "Casey@Firm.test"), ("3", "left@firm.test"), ("4", "guest@firm.test")])
        let members = try Self.users([("1", "owner@firm.test"), ("3", "left@firm.test")])
        let plan = AcumaticaAsanaRoster.plan(employees: [Self.employee("EP1", "casey@firm.test"), Self.employee("EP2", "maria@firm.test"), Self.employee("EP3", nil),
                                                         Self.employee("EP4", "left@firm.test", active: false)],
                                             users: users, members: members, keep: ["1"])
        #expect(plan.add == ["2"])
        #expect(plan.leavers == ["3"])
        #expect(plan.employeesWithoutUser == ["EP2 Name EP2 <maria@firm.test>", "EP3 Name EP3 (no email)"])
        #expect(plan.usersWithoutEmployee == ["guest@firm.test", "left@firm.test", "owner@firm.test"])
    }

    @Test func aMatchedMemberIsNeitherAddedNorALeaver() throws {
        let users = try Self.users([("2", "casey@firm.test")])
        let plan = AcumaticaAsanaRoster.plan(employees: [Self.employee("EP1", "casey@firm.test")], users: users, members: users)
        #expect(plan == AcumaticaAsanaRoster.Plan())
    }

    @Test func aMemberWithoutAVisibleEmailIsNeverALeaver() throws {
        let members = try JSONDecoder().decode([Asana.User].self, from: Data(#"[{"gid":"5"},{"gid":"6","email":""},{"gid":"7","email":"left@firm.test"}]"#.utf8))
        let plan = AcumaticaAsanaRoster.plan(employees: [Self.employee("EP1", "casey@firm.test")], users: [], members: members)
        #expect(plan.leavers == ["7"])
    }

    @Test func noActiveEmployeeMeansNobodyLeaves() throws {
        let members = try Self.users([("3", "left@firm.test"), ("4", "other@firm.test")])
        for employees in [[], [Self.employee("EP4", "left@firm.test", active: false)]] {
            #expect(AcumaticaAsanaRoster.plan(employees: employees, users: members, members: members).leavers.isEmpty)
        }
    }
}
