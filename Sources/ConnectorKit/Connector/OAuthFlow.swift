import Crypto
import Foundation

/// The OAuth 2 authorization-code flow every OAuth vendor shares, driven by provider facts:
/// the authorize address (with `state`, and PKCE where the vendor supports it), then the code
/// exchange (RFC 6749 §4.1, RFC 7636).
public struct OAuthFlow: Sendable {
    /// The vendor's facts.
    public let provider: ProviderDescription
    /// The app's client id.
    public let clientID: String
    /// The app's redirect URI.
    public let redirectURI: String
    /// The value the redirect must carry back unchanged.
    public let state: String
    /// The PKCE verifier, when the vendor supports PKCE.
    public let codeVerifier: String?

    /// Starts a flow with a fresh state (and PKCE verifier when supported).
    public init(provider: ProviderDescription, clientID: String, redirectURI: String) throws {
        guard provider.authorization != nil, provider.tokenEndpoint != nil else {
            throw ConnectorError.validation(field: "--client-id", message: "\(provider.displayName) has no OAuth sign-in here; connect it with a token instead")
        }
        self.provider = provider
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.state = Self.randomToken()
        self.codeVerifier = provider.authorization?.pkce == true ? Self.randomToken() + Self.randomToken() : nil
    }

    /// The S256 challenge of a PKCE verifier.
    public static func challenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The address to open in a browser.
    public func authorizeURL(connection: Connection) throws -> String {
        guard let facts = provider.authorization else { throw ConnectorError.permanent("\(provider.displayName) has no authorize page") }
        var query = [("client_id", clientID), ("response_type", "code"), ("redirect_uri", redirectURI), ("state", state)]
        if !facts.scopes.isEmpty { query.append(("scope", facts.scopes.joined(separator: " "))) }
        if let codeVerifier { query += [("code_challenge_method", "S256"), ("code_challenge", Self.challenge(for: codeVerifier))] }
        for pair in facts.extraParameters {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            query.append((parts[0], parts.count > 1 ? parts[1] : ""))
        }
        return try connection.baseURL(facts.baseURLRole, provider: provider) + facts.path + "?" + query.map { "\($0.0)=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
    }

    /// The code from a pasted redirect address (its `state` checked when `checkState`) or a bare code.
    public func code(fromPasted pasted: String, checkState: Bool = true) throws -> String {
        let text = pasted.trimmingCharacters(in: .whitespaces)
        guard text.contains("code="), let components = URLComponents(string: text) else { return text }
        let items = components.queryItems ?? []
        if checkState, items.first(where: { $0.name == "state" })?.value != state {
            throw ConnectorError.validation(field: "redirect address", message: "the pasted address carries a different state than this run asked for; start again (it may be from another attempt)")
        }
        guard let code = items.first(where: { $0.name == "code" })?.value, !code.isEmpty else {
            throw ConnectorError.validation(field: "redirect address", message: "the pasted address has no code parameter")
        }
        return code
    }

    /// The account the redirect names, for vendors that say it only there (the provider's
    /// `redirectAccountParameter`); nil for a bare code or a vendor that lists accounts.
    public func account(fromPasted pasted: String) -> String? {
        guard let name = provider.authorization?.redirectAccountParameter,
              let items = URLComponents(string: pasted.trimmingCharacters(in: .whitespaces))?.queryItems else { return nil }
        return items.first(where: { $0.name == name })?.value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Exchanges an authorization code for the first token pair.
    public func exchange(code: String, clientSecret: String, connection: Connection, pipeline: HTTPPipeline) async throws -> Credential {
        guard let endpoint = provider.tokenEndpoint else { throw ConnectorError.permanent("\(provider.displayName) has no token endpoint") }
        let provider = provider.resolved(for: connection)
        let client = OAuth2TokenClient(endpoint: endpoint, tokenURL: try connection.baseURL(endpoint.baseURLRole, provider: provider) + endpoint.path)
        let request = try client.codeExchangeRequest(code: code, clientID: clientID, clientSecret: clientSecret, redirectURI: redirectURI, codeVerifier: codeVerifier)
        let response = try await pipeline.sendUnauthenticated(request, connection: connection, provider: provider)
        var base = Credential(kind: .oauth2, clientID: clientID, clientSecret: clientSecret)
        if endpoint.sendsRedirectURIOnRefresh { base.extra["redirect_uri"] = redirectURI }
        return try client.credential(from: response, previous: base)
    }

    private static func randomToken() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
