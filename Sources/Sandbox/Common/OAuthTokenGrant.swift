import Crypto
import Foundation
import Hummingbird

/// Why a sandbox's token endpoint refused a request; each sandbox words it as its vendor does.
enum TokenGrantRefusal: Error, Equatable {
    /// `client_id`/`client_secret` are not the app's.
    case unknownClient
    /// The code is unknown, spent, issued for another redirect URI, or fails its PKCE challenge.
    case invalidCode
    /// The refresh token is missing, unknown or spent.
    case invalidRefreshToken
    /// A `grant_type` other than `authorization_code` and `refresh_token`.
    case unsupportedGrantType
}

extension OAuthTokenStore {
    /// The fields of a token request, sent as JSON or as a form.
    static func tokenRequestFields(_ request: Request) async throws -> [String: String] {
        let text = try await SandboxHTTP.text(request)
        if request.headers[.contentType]?.contains("json") == true {
            return (try? JSONValue.parse(Data(text.utf8)).object?.compactMapValues(\.text)) ?? [:]
        }
        return Dictionary(SandboxHTTP.formPairs(text), uniquingKeysWith: { _, last in last })
    }

    /// The token endpoint's decision for the app `clientID`/`clientSecret`: an authorization
    /// code is redeemed once, for the redirect URI it was issued to and, when it carries a PKCE
    /// challenge, for the matching `code_verifier` (S256); a refresh token is spent or kept as
    /// the store's refresh policy says.
    func grant(_ fields: [String: String], clientID: String, clientSecret: String) -> Result<Issued, TokenGrantRefusal> {
        guard fields["client_id"] == clientID, fields["client_secret"] == clientSecret else { return .failure(.unknownClient) }
        switch fields["grant_type"] {
        case "authorization_code":
            guard let code = fields["code"], let grant = redeemCode(code), grant.redirectURI == fields["redirect_uri"] else { return .failure(.invalidCode) }
            if let challenge = grant.codeChallenge {
                let computed = Data(SHA256.hash(data: Data((fields["code_verifier"] ?? "").utf8))).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
                guard computed == challenge else { return .failure(.invalidCode) }
            }
            return .success(issuePair())
        case "refresh_token":
            guard let token = fields["refresh_token"], case .issued(let pair) = refresh(token) else { return .failure(.invalidRefreshToken) }
            return .success(pair)
        default:
            return .failure(.unsupportedGrantType)
        }
    }
}
