import ArgumentParser
import ConnectorKit
import Foundation
import FreshBooks
import Store

/// `connection add freshbooks`: OAuth authorization code, identity, business choice.
struct ConnectionAddFreshBooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freshbooks",
        abstract: "Connect a FreshBooks business (OAuth). The client secret comes from FRESHBOOKS_CLIENT_SECRET or the first line of standard input.",
        discussion: """
        Prints the authorize URL; open it, approve, and paste the address FreshBooks redirected to
        (or just its code). A user with several businesses chooses one with --business; each
        business is its own connection.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The connection id, e.g. fb-acme.") var id: String
    @Option(help: "The tenant (customer) it belongs to.") var tenant: String = defaultTenant
    @Option(help: "The FreshBooks app's client id.") var clientID: String
    @Option(help: "The app's redirect URI (https, no query).") var redirectURI: String
    @Option(name: .customLong("base-url"), help: "api=URL and auth=URL to point at a sandbox (repeatable).") var baseURLs: [String] = []
    @Option(help: "The business id to connect when the user has several.") var business: Int?
    @Option(help: "The authorization code (or the whole redirect address); asked for when absent.") var code: String?
    @Option(help: "Requests per window this account allows, e.g. 100/1s (default: FreshBooks' own).") var rateLimit: String?

    func validate() throws {
        do {
            try Identifier.validate(id, field: "--id")
            try Identifier.validate(tenant, field: "--tenant")
        } catch {
            throw ValidationError(String(describing: error))
        }
        guard let url = URL(string: redirectURI), url.scheme != nil, url.host != nil else { throw ValidationError("--redirect-uri must be an absolute URL") }
        if let rateLimit, FreshBooksProvider.parseRateLimit(rateLimit) == nil { throw ValidationError("--rate-limit must look like 100/1s or 300/1m") }
        _ = try parseBaseURLs(baseURLs)
    }

    func run() async throws {
        let secret = ProcessInfo.processInfo.environment["FRESHBOOKS_CLIENT_SECRET"] ?? readLine(strippingNewline: true)
        guard let clientSecret = secret?.trimmingCharacters(in: .whitespaces), !clientSecret.isEmpty else {
            throw CLIFailure(message: "no client secret: set FRESHBOOKS_CLIENT_SECRET or pipe it on standard input")
        }
        SecretRedactor.shared.register([clientSecret])
        var settings: [String: String] = [:]
        settings["rate_limit"] = rateLimit
        var connection = Connection(id: id, tenant: tenant, system: .freshbooks, baseURLs: try parseBaseURLs(baseURLs), settings: settings)
        let state = UUID().uuidString.lowercased()
        let authorize = FreshBooksAuth.authorizeURL(authBase: try connection.baseURL("auth", provider: FreshBooksProvider.description),
                                                    clientID: clientID, redirectURI: redirectURI, state: state)
        FileHandle.standardError.write(Data("Open this address, approve access, then paste the address you were sent to:\n\(authorize)\n> ".utf8))
        guard let pasted = code ?? readLine(strippingNewline: true), !pasted.isEmpty else {
            throw CLIFailure(message: "no authorization code given; pass --code or paste it when asked")
        }
        let authorizationCode = try Self.code(from: pasted, expectedState: code == nil ? state : nil)
        try await withStore(global) { store in
            let exchangePipeline = HTTPPipeline(credentials: StaticCredentialSource(Credential(kind: .oauth2)))
            let credential = try await FreshBooksAuth(pipeline: exchangePipeline).exchange(code: authorizationCode, clientID: clientID, clientSecret: clientSecret,
                                                                                          redirectURI: redirectURI, connection: connection)
            let identity = try await FreshBooksAuth(pipeline: HTTPPipeline(credentials: StaticCredentialSource(credential))).identity(connection: connection)
            let memberships = identity.business_memberships
            let chosen: BusinessMembership
            if let business {
                guard let match = memberships.first(where: { $0.business.id == business }) else {
                    throw CLIFailure(message: "--business \(business) is not one of this user's businesses: " + memberships.map { "\($0.business.id) (\($0.business.name), \($0.role))" }.joined(separator: ", "))
                }
                chosen = match
            } else if memberships.count == 1 {
                chosen = memberships[0]
            } else {
                throw CLIFailure(message: "this user belongs to several businesses; run again with --business and one of: " + memberships.map { "\($0.business.id) (\($0.business.name), \($0.role))" }.joined(separator: ", "))
            }
            let (accountRef, businessSettings) = FreshBooksAuth.settings(for: chosen)
            connection.accountRef = accountRef
            connection.displayName = chosen.business.name
            connection.settings.merge(businessSettings) { _, new in new }
            try await store.addConnection(connection, credential: credential)
            if global.json {
                try Output.json(connection)
            } else {
                print("connected \(connection.id) to FreshBooks business \(chosen.business.name) (account \(accountRef), business \(chosen.business.id))")
            }
        }
    }

    /// The code from a pasted redirect address (checking `state`) or a bare code.
    static func code(from pasted: String, expectedState: String?) throws -> String {
        guard pasted.contains("code="), let components = URLComponents(string: pasted.trimmingCharacters(in: .whitespaces)) else { return pasted.trimmingCharacters(in: .whitespaces) }
        let items = components.queryItems ?? []
        if let expectedState, items.first(where: { $0.name == "state" })?.value != expectedState {
            throw CLIFailure(message: "the pasted address carries a different state than this run asked for; start again (it may be from another attempt)")
        }
        guard let code = items.first(where: { $0.name == "code" })?.value, !code.isEmpty else {
            throw CLIFailure(message: "the pasted address has no code parameter")
        }
        return code
    }
}

/// Reads `--base-url ROLE=URL` options.
func parseBaseURLs(_ entries: [String]) throws -> [String: String] {
    var result: [String: String] = [:]
    for entry in entries {
        let parts = entry.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let url = URL(string: String(parts[1])), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--base-url '\(entry)' must be ROLE=URL, e.g. api=https://api.example.com")
        }
        result[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }
    return result
}
