import Foundation
import NIOCore
import NIOHTTP1

/// The OAuth 2 token endpoint calls every OAuth vendor shares (RFC 6749 §4.1.3 and §6).
public struct OAuth2TokenClient: Sendable {
    /// The token endpoint's absolute URL.
    public var tokenURL: String
    /// Form or JSON body.
    public var encoding: TokenEndpoint.Encoding
    /// Whether refresh requests repeat the redirect URI.
    public var sendsRedirectURIOnRefresh: Bool
    /// Where the client id and secret go.
    public var clientAuthentication: TokenEndpoint.ClientAuthentication

    /// Creates a client for one token endpoint.
    public init(tokenURL: String, encoding: TokenEndpoint.Encoding, sendsRedirectURIOnRefresh: Bool = false, clientAuthentication: TokenEndpoint.ClientAuthentication = .body) {
        self.tokenURL = tokenURL
        self.encoding = encoding
        self.sendsRedirectURIOnRefresh = sendsRedirectURIOnRefresh
        self.clientAuthentication = clientAuthentication
    }

    /// A client for `endpoint` at `tokenURL`, following every fact the endpoint states.
    public init(endpoint: TokenEndpoint, tokenURL: String) {
        self.init(tokenURL: tokenURL, encoding: endpoint.encoding, sendsRedirectURIOnRefresh: endpoint.sendsRedirectURIOnRefresh,
                  clientAuthentication: endpoint.clientAuthentication)
    }

    /// The request that spends `credential`'s refresh token for a new pair (or, for a
    /// client-credentials credential, asks for a new access token with the client's own secret).
    public func refreshRequest(for credential: Credential) throws -> OutboundRequest {
        if credential.kind == .clientCredentials, let clientID = credential.clientID, let clientSecret = credential.clientSecret {
            return try clientCredentialsRequest(clientID: clientID, clientSecret: clientSecret, scopes: credential.scopes)
        }
        guard let refreshToken = credential.refreshToken else {
            throw ConnectorError.unauthorized("the connection has no refresh token; connect it again")
        }
        var fields = ["grant_type": "refresh_token", "refresh_token": refreshToken]
        if sendsRedirectURIOnRefresh { fields["redirect_uri"] = credential.extra["redirect_uri"] }
        return try request(fields, clientID: credential.clientID, clientSecret: credential.clientSecret)
    }

    /// The request that exchanges an authorization code for the first token pair.
    public func codeExchangeRequest(code: String, clientID: String, clientSecret: String?, redirectURI: String, codeVerifier: String? = nil) throws -> OutboundRequest {
        var fields = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]
        fields["code_verifier"] = codeVerifier
        return try request(fields, clientID: clientID, clientSecret: clientSecret)
    }

    /// The request for an access token with the client's own credentials (RFC 6749 §4.4).
    public func clientCredentialsRequest(clientID: String, clientSecret: String, scopes: [String] = []) throws -> OutboundRequest {
        var fields = ["grant_type": "client_credentials"]
        if !scopes.isEmpty { fields["scope"] = scopes.joined(separator: " ") }
        return try request(fields, clientID: clientID, clientSecret: clientSecret)
    }

    /// Reads a token response into a credential, keeping what the response leaves out (a vendor
    /// that does not rotate refresh tokens sends none back).
    public func credential(from response: InboundResponse, previous: Credential, now: Date = Date()) throws -> Credential {
        struct TokenResponse: Decodable {
            var access_token: String
            var refresh_token: String?
            var expires_in: Double?
            var scope: String?
        }
        let token = try response.decode(TokenResponse.self)
        var next = previous
        if next.kind != .clientCredentials { next.kind = .oauth2 }
        next.accessToken = token.access_token
        if let refresh = token.refresh_token { next.refreshToken = refresh }
        // A lifetime of zero or less is no lifetime (the token is used until a 401 says
        // otherwise): taken as given, every request would refresh first. A huge one is capped.
        next.expiresAt = token.expires_in.flatMap { $0 > 0 ? now.addingTimeInterval(min($0, Self.longestLifetime)) : nil }
        if let scope = token.scope { next.scopes = scope.split(separator: " ").map(String.init) }
        return next
    }

    /// The longest access-token lifetime taken from a vendor: ten years.
    static let longestLifetime: TimeInterval = 10 * 365 * 86_400

    private func request(_ fields: [String: String], clientID: String?, clientSecret: String?) throws -> OutboundRequest {
        var fields = fields
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json")
        switch clientAuthentication {
        case .body:
            fields["client_id"] = clientID
            fields["client_secret"] = clientSecret
        case .basic:
            let pair = FormEncoding.escape(clientID ?? "") + ":" + FormEncoding.escape(clientSecret ?? "")
            headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        }
        let body: ByteBuffer
        switch encoding {
        case .json:
            headers.add(name: "Content-Type", value: "application/json")
            body = ByteBuffer(bytes: try JSONEncoder().encode(fields))
        case .form:
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            body = ByteBuffer(string: FormEncoding.encode(fields))
        }
        return OutboundRequest(method: .POST, url: tokenURL, headers: headers, body: body, authenticated: false)
    }
}

/// `application/x-www-form-urlencoded` encoding.
public enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// Encodes fields in key order, so the same fields always give the same body.
    public static func encode(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }
            .map { "\(escape($0.key))=\(escape($0.value))" }
            .joined(separator: "&")
    }

    /// Percent-encodes one key or value.
    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Decodes a form body; a key given twice keeps its last value.
    public static func decode(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(String(parts[0]))
            fields[key] = parts.count > 1 ? unescape(String(parts[1])) : ""
        }
        return fields
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }
}
