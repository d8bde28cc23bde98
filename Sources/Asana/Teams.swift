import ConnectorKit
import Foundation

/// A user's membership of a team, as `addUser` answers it (digest B3; OAS `TeamMembershipResponse`).
public struct TeamMembership: Codable, Sendable, Equatable {
    public var gid: String
    public var user: AsanaRef?
    public var team: AsanaRef?
}

extension AsanaClient {
    /// The members of a team.
    public func teamUsers(team: String) -> Paged<User> {
        list("/teams/\(team)/users", fields: ["name", "email"], as: User.self)
    }

    /// Adds a user (gid or email) to a team; adding a member again changes nothing.
    public func addUser(_ user: String, toTeam team: String) async throws -> TeamMembership {
        try await send(.POST, "/teams/\(team)/addUser", fields: ["user.name", "team.name"], body: ["user": user], as: TeamMembership.self)
    }

    /// Removes a user (gid or email) from a team; removing a non-member changes nothing.
    public func removeUser(_ user: String, fromTeam team: String) async throws {
        _ = try await raw(.POST, "/teams/\(team)/removeUser", body: ["user": user])
    }
}
