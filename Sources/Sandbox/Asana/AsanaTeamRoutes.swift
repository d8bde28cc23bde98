import Foundation
import Hummingbird

extension AsanaSandbox {
    /// A team's members (OAS tag "Teams"): `GET /teams/{gid}/users`, and `POST
    /// /teams/{gid}/addUser` / `removeUser` with `{"data":{"user": gid | email | "me"}}`. Adding
    /// answers the membership; removing answers an empty `data`. Both are idempotent.
    func addTeamMembershipRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let p = Self.prefix
        router.get("\(p)/teams/:team/users") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            guard try context.parameters.require("team") == world.withLockedValue({ $0.teamGID }) else { return Self.error(.notFound, "team: Not a recognized ID") }
            return Self.page(world.withLockedValue { world in
                world.users.values.filter { world.teamMembers.contains($0["gid"]?.text ?? "") }.sorted { ($0["gid"]?.text ?? "") < ($1["gid"]?.text ?? "") }
            }, request: request)
        }
        for action in ["addUser", "removeUser"] {
            router.post(RouterPath("\(p)/teams/:team/\(action)")) { [self] request, context -> Response in
                if let refusal = await gate(request) { return refusal }
                let input = try await bodyLog.read(request)["data"]?.object ?? [:]
                guard try context.parameters.require("team") == world.withLockedValue({ $0.teamGID }) else { return Self.error(.notFound, "team: Not a recognized ID") }
                guard let reference = input["user"]?.text else { return Self.error(.badRequest, "user: Missing input") }
                let outcome: (JSONValue, JSONValue)? = world.withLockedValue { world in
                    guard let user = world.user(reference), let gid = user["gid"]?.text else { return nil }
                    if action == "addUser" { world.teamMembers.insert(gid) } else { world.teamMembers.remove(gid) }
                    return (user, world.team)
                }
                guard let (user, team) = outcome else { return Self.error(.notFound, "user: Not a recognized ID: \(reference)") }
                guard action == "addUser" else { return Self.data(.object([:])) }
                let gid = "tm-\(team["gid"]?.text ?? "")-\(user["gid"]?.text ?? "")"
                return Self.data(.object(["gid": .string(gid), "resource_type": .string("team_membership"), "user": AsanaWorld.compact(user), "team": AsanaWorld.compact(team),
                                          "is_guest": .bool(false), "is_admin": .bool(false), "is_limited_access": .bool(false)]))
            }
        }
    }
}
