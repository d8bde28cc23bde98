import ArgumentParser
import Asana
import ConnectorKit
import Foundation
import Store

/// `connection add asana`: a personal access token, or OAuth with state and PKCE; then the workspace.
struct ConnectionAddAsana: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asana",
        abstract: "Connect an Asana workspace with a personal access token (ASANA_TOKEN or standard input) or OAuth (--client-id; secret from ASANA_CLIENT_SECRET or standard input)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The connection id, e.g. asana-acme.") var id: String
    @Option(help: "The tenant (customer) it belongs to.") var tenant: String = defaultTenant
    @Option(help: "The OAuth app's client id (omit to use a personal access token).") var clientID: String?
    @Option(help: "The OAuth app's redirect URI.") var redirectURI: String?
    @Option(help: "The authorization code or the whole redirect address (asked for when absent).") var code: String?
    @Option(help: "The workspace gid when the user has several.") var workspace: String?
    @Option(name: .customLong("base-url"), help: "api=URL and auth=URL to point at a sandbox (repeatable).") var baseURLs: [String] = []
    @Option(help: "Requests per window, e.g. 150/1m for a free workspace (default 1500/1m).") var rateLimit: String?

    func validate() throws {
        do {
            try Identifier.validate(id, field: "--id")
            try Identifier.validate(tenant, field: "--tenant")
        } catch {
            throw ValidationError(String(describing: error))
        }
        if clientID != nil, redirectURI == nil { throw ValidationError("--redirect-uri is required with --client-id") }
        if let rateLimit, RateLimitText.parse(rateLimit) == nil { throw ValidationError("--rate-limit must look like 150/1m or 25/1s") }
        _ = try parseBaseURLs(baseURLs)
    }

    func run() async throws {
        var settings: [String: String] = ["auth": clientID == nil ? "pat" : "oauth"]
        settings["rate_limit"] = rateLimit
        var connection = Connection(id: id, tenant: tenant, system: .asana, baseURLs: try parseBaseURLs(baseURLs), settings: settings)
        let credential: Credential
        if let clientID, let redirectURI {
            guard let secret = (ProcessInfo.processInfo.environment["ASANA_CLIENT_SECRET"] ?? readLine(strippingNewline: true))?.trimmingCharacters(in: .whitespaces), !secret.isEmpty else {
                throw CLIFailure(message: "no client secret: set ASANA_CLIENT_SECRET or pipe it on standard input")
            }
            SecretRedactor.shared.register([secret])
            let state = UUID().uuidString.lowercased()
            let pkce = AsanaAuth.pkce()
            let url = AsanaAuth.authorizeURL(authBase: try connection.baseURL("auth", provider: AsanaProvider.description), clientID: clientID, redirectURI: redirectURI,
                                             state: state, codeChallenge: pkce.challenge)
            FileHandle.standardError.write(Data("Open this address, approve access, then paste the address you were sent to:\n\(url)\n> ".utf8))
            guard let pasted = code ?? readLine(strippingNewline: true), !pasted.isEmpty else { throw CLIFailure(message: "no authorization code given; pass --code or paste it when asked") }
            let authorizationCode = try ConnectionAddFreshBooks.code(from: pasted, expectedState: code == nil ? state : nil)
            credential = try await AsanaAuth(pipeline: HTTPPipeline(credentials: StaticCredentialSource(Credential(kind: .oauth2))))
                .exchange(code: authorizationCode, verifier: pkce.verifier, clientID: clientID, clientSecret: secret, redirectURI: redirectURI, connection: connection)
        } else {
            guard let token = (ProcessInfo.processInfo.environment["ASANA_TOKEN"] ?? readLine(strippingNewline: true))?.trimmingCharacters(in: .whitespaces), !token.isEmpty else {
                throw CLIFailure(message: "no personal access token: set ASANA_TOKEN or pipe it on standard input")
            }
            credential = Credential(kind: .apiToken, accessToken: token)
        }
        let me = try await AsanaClient(pipeline: HTTPPipeline(credentials: StaticCredentialSource(credential)), connection: connection).me()
        let workspaces = me.workspaces ?? []
        let chosen: AsanaRef
        if let workspace {
            guard let match = workspaces.first(where: { $0.gid == workspace }) else {
                throw CLIFailure(message: "--workspace \(workspace) is not one of: " + workspaces.map { "\($0.gid) (\($0.name ?? ""))" }.joined(separator: ", "))
            }
            chosen = match
        } else if workspaces.count == 1 {
            chosen = workspaces[0]
        } else {
            throw CLIFailure(message: "this user has several workspaces; run again with --workspace and one of: " + workspaces.map { "\($0.gid) (\($0.name ?? ""))" }.joined(separator: ", "))
        }
        connection.settings["workspace_gid"] = chosen.gid
        connection.settings["user_gid"] = me.gid
        connection.accountRef = chosen.gid
        connection.displayName = chosen.name ?? connection.id
        try await withStore(global) { store in
            try await store.addConnection(connection, credential: credential)
            if global.json {
                try Output.json(connection)
            } else {
                print("connected \(connection.id) to Asana workspace \(chosen.name ?? chosen.gid) as \(me.email ?? me.gid) (\(settings["auth"]!))")
            }
        }
    }
}
