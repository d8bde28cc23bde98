import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Store

/// `connection add <system>`: one flow for every system this build knows. OAuth (authorization
/// code, `state` checked, PKCE where the vendor supports it) with `--client-id`, or a token on
/// standard input; then the account the credential reaches, chosen with `--account` (or the
/// system's own word for it, `--business`, `--workspace`).
struct ConnectionAddSystem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system",
        abstract: "Connect an account of a system: OAuth with --client-id (secret from <SYSTEM>_CLIENT_SECRET or standard input), or a token (<SYSTEM>_TOKEN or standard input).",
        shouldDisplay: false
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The system, e.g. freshbooks or asana.") var system: String
    @Option(help: "The connection id, e.g. fb-acme.") var id: String
    @Option(help: "The tenant (customer) it belongs to.") var tenant: String = defaultTenant
    @Option(help: "The OAuth app's client id (omit to connect with a token where the system takes one).") var clientID: String?
    @Option(help: "The OAuth app's redirect URI (https, no query).") var redirectURI: String?
    @Option(help: "The authorization code or the whole redirect address (asked for when absent).") var code: String?
    @Option(name: .customLong("base-url"), help: "api=URL and auth=URL to point at a sandbox (repeatable).") var baseURLs: [String] = []
    @Option(help: "Requests per window this account allows, e.g. 100/1s (default: the vendor's published limit).") var rateLimit: String?
    @Option(help: "The account to connect when the credential reaches several (also --business, --workspace…).") var account: String?
    @Flag(help: "Connect with the OAuth client-credentials grant of --client-id (the secret from <SYSTEM>_CLIENT_SECRET).") var clientCredentials = false
    @Option(name: .customLong("setting"), help: "A connection setting KEY=VALUE the system reads (tenant=…, branch=…, endpoint_version=…); repeatable.") var settings: [String] = []
    @Option(help: "The user name: the vendor's own sign-in where the system has one (Acumatica; the password from <SYSTEM>_PASSWORD or standard input), else HTTP Basic with the token as its password (Jira: the account's email).")
    var username: String?
    @Argument(parsing: .allUnrecognized, help: "--<account word> ID, the system's own name for --account.") var accountAlias: [String] = []

    func validate() throws {
        try ConnectionFlags.validate(id: id, tenant: tenant, baseURLs: baseURLs, rateLimit: rateLimit)
        if clientID != nil, redirectURI == nil, !clientCredentials { throw ValidationError("--redirect-uri is required with --client-id") }
        if clientCredentials, clientID == nil { throw ValidationError("--client-credentials needs --client-id") }
        for setting in settings where !setting.contains("=") { throw ValidationError("--setting '\(setting)' must be KEY=VALUE") }
        if let redirectURI, URL(string: redirectURI)?.host == nil { throw ValidationError("--redirect-uri must be an absolute URL") }
    }

    func run() async throws {
        let connector: any SystemConnector
        let wantedAccount: String?
        do {
            connector = try SystemCatalog.registered(SystemKind(system))
            wantedAccount = try account ?? Self.alias(accountAlias, noun: connector.connecting.accountNoun)
        } catch {
            throw CLIFailure(error)
        }
        var connection = Connection(id: id, tenant: tenant, system: connector.system, baseURLs: try ConnectionFlags.baseURLs(baseURLs))
        connection[setting: .rateLimit] = rateLimit
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            connection.settings[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let credential: Credential
        let prefix = connector.system.rawValue.uppercased()
        do {
            if clientCredentials, let clientID, connector.connecting.acceptsClientCredentials {
                connection[setting: .authStyle] = AuthStyle.oauth
                credential = Credential(kind: .clientCredentials, clientID: clientID, clientSecret: try Self.secret(env: "\(prefix)_CLIENT_SECRET", what: "client secret"),
                                        scopes: connector.provider.authorization?.scopes.filter { $0 != "offline_access" } ?? [])
            } else if let username, connector.connecting.acceptsSignIn {
                // One --username: the system's set-up says whether it signs in or goes with a token.
                connection[setting: .authStyle] = AuthStyle.session
                credential = Credential(kind: .session, username: username, password: try Self.secret(env: "\(prefix)_PASSWORD", what: "password"))
            } else if let clientID, let redirectURI {
                connection[setting: .authStyle] = AuthStyle.oauth
                let granted = try await oauth(connector: connector, connection: connection, clientID: clientID, redirectURI: redirectURI)
                credential = granted.credential
                // A vendor that names the chosen account only on the redirect (QuickBooks realmId).
                connection.accountRef = granted.account ?? wantedAccount.flatMap { connector.provider.authorization?.redirectAccountParameter != nil ? $0 : nil }
            } else {
                guard connector.connecting.acceptsToken else {
                    throw CLIFailure(message: "\(connector.provider.displayName) connects with OAuth only; give --client-id and --redirect-uri")
                }
                connection[setting: .authStyle] = AuthStyle.token
                let token = try Self.secret(env: "\(prefix)_TOKEN", what: "token")
                credential = username.map { Credential(kind: .basic, username: $0, password: token) } ?? Credential(kind: .apiToken, accessToken: token)
            }
            let identity = try await connector.identify(pipeline: HTTPPipeline(credentials: StaticCredentialSource(credential)), connection: connection)
            let chosen = try identity.choose(wantedAccount, noun: connector.connecting.accountNoun)
            connection.adopt(chosen)
            try await withStore(global) { store in
                try await store.addConnection(connection, credential: credential)
                if global.json {
                    try Output.json(connection)
                } else {
                    print("connected \(connection.id) to \(connector.provider.displayName) \(connector.connecting.accountNoun) \(chosen.label) as \(identity.user) (\(connection[setting: .authStyle] ?? ""))")
                }
            }
        } catch {
            throw CLIFailure(error)
        }
    }

    /// Prints the authorize address, reads the pasted redirect and exchanges its code; the
    /// account is the one the redirect names, for vendors that name it there.
    private func oauth(connector: any SystemConnector, connection: Connection, clientID: String, redirectURI: String) async throws -> (credential: Credential, account: String?) {
        let clientSecret = try Self.secret(env: "\(connector.system.rawValue.uppercased())_CLIENT_SECRET", what: "client secret")
        let flow = try OAuthFlow(provider: connector.provider, clientID: clientID, redirectURI: redirectURI)
        FileHandle.standardError.write(Data("Open this address, approve access, then paste the address you were sent to:\n\(try flow.authorizeURL(connection: connection))\n> ".utf8))
        guard let pasted = code ?? readLine(strippingNewline: true), !pasted.isEmpty else {
            throw CLIFailure(message: "no authorization code given; pass --code or paste it when asked")
        }
        let authorizationCode = try flow.code(fromPasted: pasted, checkState: code == nil)
        let credential = try await flow.exchange(code: authorizationCode, clientSecret: clientSecret, connection: connection,
                                                 pipeline: HTTPPipeline(credentials: StaticCredentialSource(Credential(kind: .oauth2))))
        return (credential, flow.account(fromPasted: pasted))
    }

    /// A secret from the environment or the first line of standard input, never from the command line.
    static func secret(env: String, what: String) throws -> String {
        if ProcessInfo.processInfo.environment[env] == nil, isatty(STDIN_FILENO) != 0 {
            FileHandle.standardError.write(Data("Paste the \(what) (or set \(env)), then Enter: ".utf8))
        }
        guard let value = (ProcessInfo.processInfo.environment[env] ?? readLine(strippingNewline: true))?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw CLIFailure(message: "no \(what): set \(env) or pipe it on standard input")
        }
        SecretRedactor.shared.register([value])
        return value
    }

    /// `--business 439000` when the system calls an account a business.
    static func alias(_ tokens: [String], noun: String) throws -> String? {
        guard !tokens.isEmpty else { return nil }
        if tokens.count == 2, tokens[0] == "--\(noun)" { return tokens[1] }
        if tokens.count == 1, tokens[0].hasPrefix("--\(noun)=") { return String(tokens[0].dropFirst(noun.count + 3)) }
        throw ConnectorError.validation(field: tokens[0], message: "unexpected '\(tokens.joined(separator: " "))'; choose the account with --account ID (or --\(noun) ID)")
    }
}

/// The checks and readers every `connection add` shares.
enum ConnectionFlags {
    /// Refuses a bad id, tenant, base URL or rate limit, naming the flag.
    static func validate(id: String, tenant: String, baseURLs: [String], rateLimit: String?) throws {
        do {
            try Identifier.validate(id, field: "--id")
            try Identifier.validate(tenant, field: "--tenant")
        } catch {
            throw ValidationError(String(describing: error))
        }
        if let rateLimit, RateLimitText.parse(rateLimit) == nil { throw ValidationError("--rate-limit must look like 100/1s or 300/1m") }
        _ = try Self.baseURLs(baseURLs)
    }

    /// Reads `--base-url ROLE=URL` options.
    static func baseURLs(_ entries: [String]) throws -> [String: String] {
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
}
