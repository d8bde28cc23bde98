import Asana
import ConnectorKit
import Foundation
import Sandbox
import TestSupport
import Testing

/// Team membership (OAS tag "Teams"): members listed, added and removed by gid or email, each
/// change idempotent, and an unknown user refused.
@Suite struct AsanaTeamMembershipTests {
    @Test func usersJoinAndLeaveATeamOnce() async throws {
        try await AsanaFixture.with { fixture in
            let client = fixture.client
            let team = fixture.sandbox.teamGID
            func members() async throws -> [String] { try await client.teamUsers(team: team).collect().compactMap(\.email).sorted() }
            #expect(try await members() == ["avery@sandbox-agency.test"])

            let membership = try await client.addUser("casey@sandbox-agency.test", toTeam: team)
            #expect(membership.team?.gid == team && membership.user?.name == "Casey Developer")
            _ = try await client.addUser("casey@sandbox-agency.test", toTeam: team)
            #expect(try await members() == ["avery@sandbox-agency.test", "casey@sandbox-agency.test"])

            let casey = try #require(try await client.users().collect().first { $0.email == "casey@sandbox-agency.test" })
            try await client.removeUser(casey.gid, fromTeam: team)
            try await client.removeUser(casey.gid, fromTeam: team)
            #expect(try await members() == ["avery@sandbox-agency.test"])

            await #expect(throws: ConnectorError.self) { try await client.addUser("nobody@elsewhere.test", toTeam: team) }
            await #expect(throws: ConnectorError.self) { try await client.addUser("casey@sandbox-agency.test", toTeam: "1") }
        }
    }
}
