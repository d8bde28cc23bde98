import Foundation
import TestSupport
import Testing

/// Every bad argument or unusable setting is one clear line on stderr and a non-zero exit.
@Suite struct CLIErrorTests {
    @Test(arguments: [
        (["audit", "--outcome", "nope"], "--outcome 'nope'"),
        (["audit", "--since", "yesterday-ish"], "--since"),
        (["audit", "--ref", "no-colons"], "--ref"),
        (["connection", "remove"], "<id>"),
        (["jobs", "--state", "lost"], "--state 'lost'"),
        (["serve", "--port", "99999"], "--port"),
        (["replay", "no-such-job"], "no job or dead letter"),
        (["rollback", "no-such-job"], "neither a job id nor an audit entry id"),
        (["freshbooks", "teleport", "--connection", "x"], "'teleport' is not a FreshBooks action"),
        (["freshbooks", "list-clients", "--connection", "missing"], "--connection missing"),
        (["connection", "list", "--database-url", "mysql://x"], "--database-url"),
        (["bogus-command"], "Unknown option"),
    ])
    func aBadArgumentIsOneLineAndAFailure(_ arguments: [String], _ mentions: String) async throws {
        let directory = try TestDatabase.temporaryDirectory()
        let result = try await PackageExecutable.run("ml-connector", arguments + ["--data-dir", directory], environment: ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(mentions), "\(result.stderr)")
    }
}
