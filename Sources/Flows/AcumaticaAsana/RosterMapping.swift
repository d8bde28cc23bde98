import Acumatica
import Asana
import Foundation

/// The roster rules: active Acumatica employees matched to Asana workspace users by email.
public enum AcumaticaAsanaRoster {
    /// What keeping the team means now.
    public struct Plan: Equatable, Sendable {
        /// User gids to add to the team.
        public var add: [String] = []
        /// Team members without an active employee (removed only with `roster: enforce`).
        public var leavers: [String] = []
        /// Active employees with no Asana user of their email (`EP00000001 Maria Lopez <…>`).
        public var employeesWithoutUser: [String] = []
        /// Asana users of the workspace with no active employee of their email.
        public var usersWithoutEmployee: [String] = []

        /// Creates a plan.
        public init(add: [String] = [], leavers: [String] = [], employeesWithoutUser: [String] = [], usersWithoutEmployee: [String] = []) {
            self.add = add
            self.leavers = leavers
            self.employeesWithoutUser = employeesWithoutUser
            self.usersWithoutEmployee = usersWithoutEmployee
        }
    }

    /// Plans the team: `keep` are users never counted as leavers (the connection's own user,
    /// who must stay to manage the team).
    public static func plan(employees: [Employee], users: [Asana.User], members: [Asana.User], keep: Set<String> = []) -> Plan {
        let active = employees.filter(\.isActive)
        let activeEmails = Set(active.compactMap { email(of: $0) })
        let byEmail = Dictionary(users.compactMap { user in user.email.map { ($0.lowercased(), user) } }, uniquingKeysWith: { first, _ in first })
        let memberGIDs = Set(members.map(\.gid))
        var plan = Plan()
        for employee in active.sorted(by: { ($0.EmployeeID?.value ?? "") < ($1.EmployeeID?.value ?? "") }) {
            if let email = email(of: employee), let user = byEmail[email] {
                if !memberGIDs.contains(user.gid) { plan.add.append(user.gid) }
            } else {
                let id = employee.EmployeeID?.value ?? "?"
                let name = employee.EmployeeName?.value.map { " \($0)" } ?? ""
                plan.employeesWithoutUser.append("\(id)\(name)" + (email(of: employee).map { " <\($0)>" } ?? " (no email)"))
            }
        }
        // A leaver is a member whose email Asana shows and no active employee has. A member
        // without a visible email (a guest, a hidden address) cannot be judged, and with no
        // active employee at all (an empty or failed read) nobody is: removing the whole team
        // is never what a roster means.
        if !activeEmails.isEmpty {
            plan.leavers = members.filter { member in
                guard !keep.contains(member.gid), let email = member.email?.lowercased(), !email.isEmpty else { return false }
                return !activeEmails.contains(email)
            }.map(\.gid).sorted()
        }
        plan.usersWithoutEmployee = users.compactMap { user in
            guard let email = user.email?.lowercased(), !activeEmails.contains(email) else { return nil }
            return email
        }.sorted()
        return plan
    }

    /// An employee's email, lowercased, when it looks like one.
    static func email(of employee: Employee) -> String? {
        guard let text = employee.ContactInfo?.Email?.value?.trimmingCharacters(in: .whitespaces).lowercased(), text.count <= 254, text.contains("@") else { return nil }
        return text
    }
}
