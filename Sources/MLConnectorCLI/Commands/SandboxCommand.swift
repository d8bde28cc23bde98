import ArgumentParser
import Foundation
import Sandbox

/// `ml-connector sandbox`: every vendor emulator on loopback, seeded, until interrupted.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "Run the vendor sandboxes on loopback until interrupted.")

    @Option(help: "The first port (each sandbox takes the next); 0 picks free ports.")
    var port: Int = 0

    @Flag(help: "Print one JSON object on one line once ready.")
    var json = false

    func validate() throws {
        if !(0...65000).contains(port) { throw ValidationError("--port must be 0–65000, got \(port)") }
    }

    func run() async throws {
        let (freshbooks, server) = try await FreshBooksSandbox.serve(port: port)
        let tokens = freshbooks.issueTokens()
        let configuration = freshbooks.configuration
        let description: [String: Any] = [
            "freshbooks": [
                "baseURL": server.baseURL, "authURL": server.baseURL, "adminURL": server.baseURL + "/_sandbox",
                "credentials": ["clientId": configuration.clientID, "clientSecret": configuration.clientSecret, "redirectURI": configuration.redirectURI,
                                "accessToken": tokens.accessToken, "refreshToken": tokens.refreshToken],
                "ids": ["accountId": freshbooks.accountID, "businessId": freshbooks.businessID],
            ] as [String: Any],
        ]
        let data = try JSONSerialization.data(withJSONObject: description, options: [.sortedKeys, .withoutEscapingSlashes])
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("FreshBooks sandbox: \(server.baseURL) (admin \(server.baseURL)/_sandbox)")
            print("  account \(freshbooks.accountID), business \(freshbooks.businessID)")
            print("  client id \(configuration.clientID), redirect \(configuration.redirectURI)")
            print("  access token \(tokens.accessToken)")
            print("  refresh token \(tokens.refreshToken)")
            print("Ctrl-C stops it.")
        }
        fflush(nil)
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
