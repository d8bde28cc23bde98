import Foundation
import Hummingbird
import HTTPTypes

extension AcumaticaSandbox {
    /// `/identity/connect/authorize` and `/identity/connect/token` (api digest 2.1 B): a connected
    /// application whose `client_id` is `GUID@Tenant`; authorization-code, client-credentials,
    /// password and refresh grants; one-hour access tokens.
    func addOAuthRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/identity/connect/authorize") { [self] request, _ -> Response in
            let configuration = configuration
            guard SandboxHTTP.queryValue(request, "client_id") == configuration.clientID, SandboxHTTP.queryValue(request, "response_type") == "code",
                  let redirect = SandboxHTTP.queryValue(request, "redirect_uri"), redirect == configuration.redirectURI else {
                return Self.oauthError(.badRequest, "invalid_request")
            }
            let state = SandboxHTTP.queryValue(request, "state") ?? ""
            let code = tokens.issueCode(.init(redirectURI: redirect, codeChallenge: nil))
            return Response(status: .found, headers: [.location: redirect + "?code=\(code)&state=" + (state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state)])
        }
        router.post("/identity/connect/token") { [self] request, _ -> Response in
            faultGate.count(request)
            tokens.countTokenRequest()
            let fields = Dictionary(SandboxHTTP.formPairs(try await SandboxHTTP.text(request)), uniquingKeysWith: { _, last in last })
            let configuration = configuration
            // The tenant suffix of the client id picks the tenant (digest 2.1 B).
            guard fields["client_id"] == configuration.clientID, fields["client_secret"] == configuration.clientSecret else {
                return Self.oauthError(.badRequest, "invalid_client")
            }
            var refresh = true
            let issued: OAuthTokenStore.Issued
            switch fields["grant_type"] {
            case "authorization_code":
                guard let code = fields["code"], let grant = tokens.redeemCode(code), grant.redirectURI == fields["redirect_uri"] else { return Self.oauthError(.badRequest, "invalid_grant") }
                issued = tokens.issuePair()
            case "client_credentials":
                refresh = false
                issued = tokens.issuePair()
            case "password":
                guard fields["username"] == configuration.username, fields["password"] == configuration.password else { return Self.oauthError(.badRequest, "invalid_grant") }
                issued = tokens.issuePair()
            case "refresh_token":
                guard let token = fields["refresh_token"], case .issued(let pair) = tokens.refresh(token) else { return Self.oauthError(.badRequest, "invalid_grant") }
                issued = pair
            default:
                return Self.oauthError(.badRequest, "unsupported_grant_type")
            }
            var body: [String: JSONValue] = ["access_token": .string(issued.accessToken), "expires_in": .int(issued.expiresIn), "token_type": .string("Bearer"),
                                             "scope": .string(fields["scope"] ?? "api")]
            if refresh, let token = issued.refreshToken { body["refresh_token"] = .string(token) }
            return SandboxHTTP.json(.ok, .object(body))
        }
    }

    static func oauthError(_ status: HTTPResponse.Status, _ error: String) -> Response {
        SandboxHTTP.json(status, .object(["error": .string(error)]))
    }
}
