import Acumatica
import Asana
import ConnectorKit
import Engine
import Foundation
import Store

extension AcumaticaAsanaSession {
    /// The roster as it stands: active employees (with their contact), the workspace's users,
    /// the team's members, and the plan that matches them by email.
    func rosterPlan(team: String) async throws -> AcumaticaAsanaRoster.Plan {
        try await Self.rosterPlan(team: team, acumatica: acumatica, asana: asana)
    }

    /// The roster plan, for a job or for `integration show`.
    static func rosterPlan(team: String, acumatica: AcumaticaClient, asana: AsanaClient) async throws -> AcumaticaAsanaRoster.Plan {
        let employees = try await acumatica.employees(AcumaticaQuery(filter: AcumaticaFilter.equals("Status", "Active"), expand: ["ContactInfo"])).collect()
        let users = try await asana.users().collect()
        let members = try await asana.teamUsers(team: team).collect()
        // The connection's own user manages the team: it is never counted as a leaver.
        let me = try await asana.me().gid
        return AcumaticaAsanaRoster.plan(employees: employees, users: users, members: members, keep: [me])
    }

    /// Adds matched employees' users to the team and, with `roster: enforce`, removes members
    /// without an active employee. Membership is a set: adding or removing again changes
    /// nothing, so a repeat after an uncertain attempt is harmless and needs no intent.
    func reconcileRoster(team: String) async throws -> JobOutcome {
        let plan = try await rosterPlan(team: team)
        for user in plan.add { _ = try await asana.addUser(user, toTeam: team) }
        let removed = config.enforcesRoster ? plan.leavers : []
        for user in removed { try await asana.removeUser(user, fromTeam: team) }
        let target = ExternalRef.asana(.team, team).description
        var action = "roster: \(plan.add.count) added, \(removed.count) removed"
        if !config.enforcesRoster && !plan.leavers.isEmpty { action += ", \(plan.leavers.count) without an active employee kept (roster: report)" }
        if !plan.employeesWithoutUser.isEmpty { action += "; employees without an Asana user: " + plan.employeesWithoutUser.joined(separator: ", ") }
        return JobOutcome(sourceRef: ExternalRef.acumatica(.employee, "*").description, targetRef: target, unchanged: plan.add.isEmpty && removed.isEmpty, action: action)
    }
}
