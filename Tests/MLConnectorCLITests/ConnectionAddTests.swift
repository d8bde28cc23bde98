import AsyncHTTPClient
import Foundation
import Sandbox
import TestSupport
import Testing

/// `connection add <system>` and `connection ping` are one path for every system: OAuth from
/// the provider facts (a pasted code), or a token; the account chosen by the system's own word.
@Suite struct ConnectionAddTests {
    let environment = ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey, "ML_CONNECTOR_LOG_LEVEL": "critical"]

    @Test func freshBooksConnectsWithAnAuthorizationCodeAndPings() async throws {
        let (sandbox, server) = try await FreshBooksSandbox.serve()
        do {
            let app = sandbox.configuration
            let code = try await Self.authorizationCode(server.baseURL + "/oauth/authorize?client_id=\(app.clientID)&response_type=code&redirect_uri=\(app.redirectURI)&state=s1")
            let directory = try TestDatabase.temporaryDirectory()
            var environment = environment
            environment["FRESHBOOKS_CLIENT_SECRET"] = app.clientSecret
            let added = try await PackageExecutable.run("ml-connector", [
                "connection", "add", "freshbooks", "--id", "fb-cli", "--client-id", app.clientID, "--redirect-uri", app.redirectURI,
                "--base-url", "api=\(server.baseURL)", "--base-url", "auth=\(server.baseURL)", "--code", code, "--business", "\(sandbox.businessID)", "--data-dir", directory,
            ], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            #expect(added.stdout.contains("connected fb-cli to FreshBooks business \(sandbox.businessID)"), "\(added.stdout)")
            #expect(!added.stdout.contains(app.clientSecret) && !added.stderr.contains(app.clientSecret))

            let ping = try await PackageExecutable.run("ml-connector", ["connection", "ping", "fb-cli", "--json", "--data-dir", directory], environment: self.environment)
            #expect(ping.status == 0, "\(ping.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(ping.stdout.utf8)) as? [String: Any])
            #expect(report["ok"] as? Bool == true && (report["account"] as? String)?.contains("account \(sandbox.accountID)") == true, "\(report)")

            // A business the user does not belong to is refused, naming the choices.
            let other = try await Self.authorizationCode(server.baseURL + "/oauth/authorize?client_id=\(app.clientID)&response_type=code&redirect_uri=\(app.redirectURI)")
            let refused = try await PackageExecutable.run("ml-connector", [
                "connection", "add", "freshbooks", "--id", "fb-other", "--client-id", app.clientID, "--redirect-uri", app.redirectURI,
                "--base-url", "api=\(server.baseURL)", "--base-url", "auth=\(server.baseURL)", "--code", other, "--business", "999", "--data-dir", directory,
            ], environment: environment)
            #expect(refused.status != 0 && refused.stderr.contains("--business") && refused.stderr.contains("\(sandbox.businessID)"), "\(refused.stderr)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func asanaConnectsWithATokenOnStandardInputAndPings() async throws {
        let (sandbox, server) = try await AsanaSandbox.serve()
        do {
            let directory = try TestDatabase.temporaryDirectory()
            let added = try await PackageExecutable.run("ml-connector", [
                "connection", "add", "asana", "--id", "asana-cli", "--base-url", "api=\(server.baseURL)\(AsanaSandbox.prefix)", "--base-url", "auth=\(server.baseURL)",
                "--data-dir", directory,
            ], input: sandbox.personalAccessToken + "\n", environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            #expect(added.stdout.contains("workspace \(sandbox.workspaceGID)") && !added.stdout.contains(sandbox.personalAccessToken), "\(added.stdout)")
            let ping = try await PackageExecutable.run("ml-connector", ["connection", "ping", "asana-cli", "--data-dir", directory], environment: environment)
            #expect(ping.status == 0 && ping.stdout.contains("asana-cli: ok"), "\(ping.stdout) \(ping.stderr)")

            // FreshBooks takes no token: the message says what it takes instead.
            let token = try await PackageExecutable.run("ml-connector", ["connection", "add", "freshbooks", "--id", "fb-token", "--data-dir", directory],
                                                        input: "some-token\n", environment: environment)
            #expect(token.status != 0 && token.stderr.contains("OAuth only") && token.stderr.contains("--client-id"), "\(token.stderr)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Opens an authorize address without following its redirect and reads the code from it.
    static func authorizationCode(_ url: String) async throws -> String {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            try await client.shutdown()
            let location = try #require(response.headers.first(name: "location"))
            return try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
