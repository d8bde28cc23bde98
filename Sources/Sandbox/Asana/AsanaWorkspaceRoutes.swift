import Foundation
import Hummingbird

extension AsanaSandbox {
    /// Users, workspaces and teams (digest B3).
    func addWorkspaceRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let p = Self.prefix
        router.get("\(p)/users/me") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            let me = world.withLockedValue { $0.user("me") }!
            return Self.single(me, request: request)
        }
        router.get("\(p)/users/:user") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let reference = try context.parameters.require("user")
            guard let user = world.withLockedValue({ $0.user(reference) }) else { return Self.error(.notFound, "user: Not a recognized ID: \(reference)") }
            return Self.single(user, request: request)
        }
        router.get("\(p)/users") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            guard SandboxHTTP.queryValue(request, "workspace") != nil || SandboxHTTP.queryValue(request, "team") != nil else {
                return Self.error(.badRequest, "Must specify exactly one of workspace or team")
            }
            return Self.page(world.withLockedValue { $0.users.values.sorted { ($0["gid"]?.text ?? "") < ($1["gid"]?.text ?? "") } }, request: request)
        }
        router.get("\(p)/workspaces") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            return Self.page([world.withLockedValue { $0.workspace }], request: request)
        }
        router.get("\(p)/workspaces/:workspace") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let workspace = world.withLockedValue { $0.workspace }
            guard try context.parameters.require("workspace") == workspace["gid"]?.text else { return Self.error(.notFound, "workspace: Not a recognized ID") }
            return Self.single(workspace, request: request)
        }
        // Every user is in the one workspace; another gid is not found.
        router.get("\(p)/workspaces/:workspace/users") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let reference = try context.parameters.require("workspace")
            let (known, users) = world.withLockedValue { world in
                (world.workspaceGID == reference, world.users.values.sorted { ($0["gid"]?.text ?? "") < ($1["gid"]?.text ?? "") })
            }
            guard known else { return Self.error(.notFound, "workspace: Not a recognized ID: \(reference)") }
            return Self.page(users, request: request)
        }
        addTeamMembershipRoutes(to: router)
        router.get("\(p)/workspaces/:workspace/teams") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let reference = try context.parameters.require("workspace")
            let (workspace, team) = world.withLockedValue { ($0.workspaceGID, $0.team) }
            guard reference == workspace else { return Self.error(.notFound, "workspace: Not a recognized ID: \(reference)") }
            return Self.page([team], request: request)
        }
        router.get("\(p)/teams/:team") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let team = world.withLockedValue { $0.team }
            guard try context.parameters.require("team") == team["gid"]?.text else { return Self.error(.notFound, "team: Not a recognized ID") }
            return Self.single(team, request: request)
        }
    }
}
