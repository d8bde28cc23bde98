import ConnectorKit
import Foundation

/// Connecting a FreshBooks account: the authorize URL, the code exchange and identity (digest A2, A3).
public struct FreshBooksAuth: Sendable {
    /// The pipeline used for the token and identity calls.
    public let pipeline: HTTPPipeline

    /// Creates the helper.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The URL to open in a browser; `state` comes back on the redirect and must be checked.
    public static func authorizeURL(authBase: String, clientID: String, redirectURI: String, state: String, scopes: [String] = FreshBooksProvider.scopes) -> String {
        let query = [("client_id", clientID), ("response_type", "code"), ("redirect_uri", redirectURI), ("scope", scopes.joined(separator: " ")), ("state", state)]
        return authBase + "/oauth/authorize?" + query.map { "\($0.0)=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
    }

    /// Exchanges an authorization code for the first token pair.
    public func exchange(code: String, clientID: String, clientSecret: String, redirectURI: String, connection: Connection) async throws -> Credential {
        let provider = FreshBooksProvider.description(for: connection)
        let tokenURL = try connection.baseURL("api", provider: provider) + "/auth/oauth/token"
        let client = OAuth2TokenClient(tokenURL: tokenURL, encoding: .form)
        let response = try await pipeline.sendUnauthenticated(try client.codeExchangeRequest(code: code, clientID: clientID, clientSecret: clientSecret, redirectURI: redirectURI), connection: connection, provider: provider)
        let base = Credential(kind: .oauth2, clientID: clientID, clientSecret: clientSecret, extra: ["redirect_uri": redirectURI])
        return try client.credential(from: response, previous: base)
    }

    /// Who the token belongs to and which businesses it reaches (`users/me`).
    public func identity(connection: Connection) async throws -> Identity {
        let client = FreshBooksClient(pipeline: pipeline, connection: connection)
        return try await client.send(.GET, "/auth/api/v1/users/me", as: IdentityEnvelope.self).response
    }

    /// The settings a connection keeps for a chosen business.
    public static func settings(for membership: BusinessMembership) -> (accountRef: String, settings: [String: String]) {
        var settings = ["account_id": membership.business.account_id, "business_id": "\(membership.business.id)", "business_name": membership.business.name]
        settings["business_uuid"] = membership.business.business_uuid
        return (membership.business.account_id, settings)
    }
}

struct IdentityEnvelope: Decodable { var response: Identity }
