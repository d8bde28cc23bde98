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
        let described = freshbooks.describe(server: server)
        let description: [String: Any] = ["freshbooks": described]
        let data = try JSONSerialization.data(withJSONObject: description, options: [.sortedKeys, .withoutEscapingSlashes])
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            let credentials = described["credentials"] as? [String: String] ?? [:]
            print("FreshBooks sandbox: \(server.baseURL) (admin \(server.baseURL)/_sandbox)")
            print("  account \(freshbooks.accountID), business \(freshbooks.businessID)")
            print("  client id \(credentials["clientId"] ?? ""), client secret \(credentials["clientSecret"] ?? ""), redirect \(credentials["redirectURI"] ?? "")")
            print("  access token \(credentials["accessToken"] ?? "")")
            print("  refresh token \(credentials["refreshToken"] ?? "")")
            print("Ctrl-C stops it.")
        }
        fflush(nil)
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
