import Foundation

/// The secret material of one connection, as kept (encrypted) in the vault.
///
/// Its descriptions never print a secret: `print(credential)` and string interpolation show
/// only which parts are present.
public struct Credential: Codable, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// How the credential authenticates.
    public enum Kind: String, Codable, Sendable {
        /// OAuth 2 access token, usually with a refresh token.
        case oauth2
        /// A long-lived token sent as a bearer token (Asana PAT, Jira API token with basic auth…).
        case apiToken
        /// User name and password or API key pair sent with HTTP Basic.
        case basic
        /// OAuth 2 client credentials (RFC 6749 §4.4): no refresh token; a new access token is
        /// asked for with the client id and secret whenever the last one expires or is refused.
        case clientCredentials
        /// User name and password a system's client exchanges at the vendor's sign-in call for a
        /// session (cookies) and signs out of when done; the pipeline attaches nothing itself.
        case session
    }

    /// How the credential authenticates.
    public var kind: Kind
    /// The bearer or API token.
    public var accessToken: String?
    /// The OAuth refresh token; rotating vendors issue a new one on every refresh.
    public var refreshToken: String?
    /// When the access token expires, if the vendor said.
    public var expiresAt: Date?
    /// The OAuth client id (not secret, but kept with its secret).
    public var clientID: String?
    /// The OAuth client secret.
    public var clientSecret: String?
    /// The user name for basic authentication.
    public var username: String?
    /// The password or API key for basic authentication.
    public var password: String?
    /// Scopes granted to the token.
    public var scopes: [String]
    /// Further secrets a system needs (webhook verifier token, …).
    public var extra: [String: String]

    /// Creates a credential.
    public init(
        kind: Kind,
        accessToken: String? = nil,
        refreshToken: String? = nil,
        expiresAt: Date? = nil,
        clientID: String? = nil,
        clientSecret: String? = nil,
        username: String? = nil,
        password: String? = nil,
        scopes: [String] = [],
        extra: [String: String] = [:]
    ) {
        self.kind = kind
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.username = username
        self.password = password
        self.scopes = scopes
        self.extra = extra
    }

    /// Every secret string this credential holds, for redaction.
    public var secretValues: [String] {
        [accessToken, refreshToken, clientSecret, password].compactMap { $0 } + Array(extra.values)
    }

    /// True when a refresh grant can renew the access token.
    public var canRefresh: Bool {
        switch kind {
        case .oauth2: refreshToken != nil
        case .clientCredentials: clientID != nil && clientSecret != nil
        case .apiToken, .basic, .session: false
        }
    }

    public var description: String {
        var parts = ["kind: \(kind.rawValue)"]
        if accessToken != nil { parts.append("accessToken: <redacted>") }
        if refreshToken != nil { parts.append("refreshToken: <redacted>") }
        if let expiresAt { parts.append("expiresAt: \(expiresAt)") }
        if clientSecret != nil { parts.append("clientSecret: <redacted>") }
        if password != nil { parts.append("password: <redacted>") }
        return "Credential(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }
}

/// A credential together with the store's version number, the basis of compare-and-swap.
public struct VersionedCredential: Sendable, Equatable {
    /// The decrypted credential.
    public var credential: Credential
    /// Incremented on every write; a refresh only writes over the version it read.
    public var version: Int64

    /// Creates a versioned credential.
    public init(credential: Credential, version: Int64) {
        self.credential = credential
        self.version = version
    }
}

/// Where the HTTP pipeline reads credentials and spends refresh tokens.
///
/// Implemented by the store over the vault. `refresh` must hold a lock on the credential across
/// processes while `renew` runs (a short lock row with an expiry, never a transaction held over
/// the vendor call), and write the result only over `staleVersion`, so that a rotating refresh
/// token is sent to the vendor exactly once.
public protocol CredentialSource: Sendable {
    /// The current credential of a connection.
    func credential(for connectionID: String) async throws -> VersionedCredential

    /// Renews the credential unless someone already did.
    ///
    /// - Parameters:
    ///   - connectionID: whose credential.
    ///   - staleVersion: the version the caller found wanting; if the stored version is newer,
    ///     it is returned without calling `renew`.
    ///   - renew: calls the vendor's token endpoint with the locked credential.
    func refresh(
        connectionID: String,
        staleVersion: Int64,
        renew: @Sendable (Credential) async throws -> Credential
    ) async throws -> VersionedCredential
}
