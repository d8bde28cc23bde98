import ConnectorKit
import Crypto
import Foundation

/// Connecting an Asana account: OAuth with `state` and PKCE (digest B2), or a personal access token.
public struct AsanaAuth: Sendable {
    /// The pipeline used for token calls.
    public let pipeline: HTTPPipeline

    /// Creates the helper.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// A PKCE verifier and its S256 challenge.
    public static func pkce() -> (verifier: String, challenge: String) {
        let verifier = (0..<2).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "") }.joined()
        let challenge = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (verifier, challenge)
    }

    /// The URL to open in a browser.
    public static func authorizeURL(authBase: String, clientID: String, redirectURI: String, state: String, codeChallenge: String) -> String {
        let query = [("client_id", clientID), ("redirect_uri", redirectURI), ("response_type", "code"), ("state", state),
                     ("code_challenge_method", "S256"), ("code_challenge", codeChallenge)]
        return authBase + "/-/oauth_authorize?" + query.map { "\($0.0)=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
    }

    /// Exchanges a code (with its PKCE verifier) for the first token pair.
    public func exchange(code: String, verifier: String, clientID: String, clientSecret: String, redirectURI: String, connection: Connection) async throws -> Credential {
        let provider = AsanaProvider.description(for: connection)
        let client = OAuth2TokenClient(tokenURL: try connection.baseURL("auth", provider: provider) + "/-/oauth_token", encoding: .form)
        let request = try client.codeExchangeRequest(code: code, clientID: clientID, clientSecret: clientSecret, redirectURI: redirectURI, codeVerifier: verifier)
        let response = try await pipeline.sendUnauthenticated(request, connection: connection, provider: provider)
        return try client.credential(from: response, previous: Credential(kind: .oauth2, clientID: clientID, clientSecret: clientSecret))
    }
}
