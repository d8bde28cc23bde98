import Crypto
import Foundation
import Hummingbird
import HTTPTypes

extension AsanaSandbox {
    /// `/-/oauth_authorize` and `/-/oauth_token` (digest B2): codes with PKCE (S256), one-hour
    /// access tokens, refresh tokens that stay valid (no rotation).
    func addAsanaOAuthRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/-/oauth_authorize") { [self] request, _ -> Response in
            let configuration = self.configuration
            guard SandboxHTTP.queryValue(request, "client_id") == configuration.clientID, SandboxHTTP.queryValue(request, "response_type") == "code",
                  let redirect = SandboxHTTP.queryValue(request, "redirect_uri"), redirect == configuration.redirectURI else {
                return Self.error(.badRequest, "invalid_request: client_id, response_type=code and the registered redirect_uri are required")
            }
            guard let state = SandboxHTTP.queryValue(request, "state"), !state.isEmpty else { return Self.error(.badRequest, "invalid_request: state is required") }
            let code = tokens.issueCode(.init(redirectURI: redirect, codeChallenge: SandboxHTTP.queryValue(request, "code_challenge")))
            return Response(status: .found, headers: [.location: redirect + "?code=\(code)&state=" + (state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state)])
        }
        router.post("/-/oauth_token") { [self] request, _ -> Response in
            faultGate.count(request)
            tokens.countTokenRequest()
            let fields = Dictionary(SandboxHTTP.formPairs(try await SandboxHTTP.text(request)), uniquingKeysWith: { _, last in last })
            let configuration = self.configuration
            guard fields["client_id"] == configuration.clientID, fields["client_secret"] == configuration.clientSecret else {
                return SandboxHTTP.json(.unauthorized, .object(["error": .string("invalid_client"), "error_description": .string("The client credentials are invalid.")]))
            }
            let issued: OAuthTokenStore.Issued
            switch fields["grant_type"] {
            case "authorization_code":
                guard let code = fields["code"], let grant = tokens.redeemCode(code), grant.redirectURI == fields["redirect_uri"] else {
                    return Self.invalidGrant("The authorization code is invalid or expired.")
                }
                if let challenge = grant.codeChallenge {
                    let computed = Data(SHA256.hash(data: Data((fields["code_verifier"] ?? "").utf8))).base64EncodedString()
                        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
                    guard computed == challenge else { return Self.invalidGrant("code_verifier does not match the code_challenge.") }
                }
                issued = tokens.issuePair()
            case "refresh_token":
                guard let token = fields["refresh_token"], case .issued(let pair) = tokens.refresh(token) else {
                    return Self.invalidGrant("The refresh token is invalid.")
                }
                issued = pair
            default:
                return SandboxHTTP.json(.badRequest, .object(["error": .string("unsupported_grant_type")]))
            }
            let me = world.withLockedValue { $0.meGID }
            var body: [String: JSONValue] = ["access_token": .string(issued.accessToken), "expires_in": .int(issued.expiresIn), "token_type": .string("bearer"),
                                             "data": .object(["id": .string(me), "gid": .string(me), "name": .string("Avery Owner"), "email": .string("avery@sandbox-agency.test")])]
            // A refresh answers without a refresh token: the one presented stays valid (digest B2).
            if let refresh = issued.refreshToken { body["refresh_token"] = .string(refresh) }
            return SandboxHTTP.json(.ok, .object(body))
        }
    }

    static func invalidGrant(_ description: String) -> Response {
        SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_grant"), "error_description": .string(description)]))
    }
}
