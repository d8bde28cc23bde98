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
        let (asana, asanaServer) = try await AsanaSandbox.serve(port: port == 0 ? 0 : port + 1)
        let described = freshbooks.describe(server: server)
        let asanaDescribed = asana.describe(server: asanaServer, projectGID: asana.seedProject(name: "Website redesign"))
        let description: [String: Any] = ["freshbooks": described, "asana": asanaDescribed]
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
            let asanaCredentials = asanaDescribed["credentials"] as? [String: String] ?? [:]
            let asanaIDs = asanaDescribed["ids"] as? [String: String] ?? [:]
            print("Asana sandbox: \(asanaDescribed["baseURL"] ?? "") (admin \(asanaServer.baseURL)/_sandbox)")
            print("  workspace \(asanaIDs["workspaceGid"] ?? ""), team \(asanaIDs["teamGid"] ?? ""), project \(asanaIDs["projectGid"] ?? "")")
            print("  personal access token \(asanaCredentials["personalAccessToken"] ?? "")")
            print("Ctrl-C stops them.")
        }
        fflush(nil)
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
