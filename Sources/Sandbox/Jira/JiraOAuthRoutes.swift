import Foundation
import Hummingbird
import HTTPTypes

extension JiraSandbox {
    /// OAuth 2.0 (3LO) (digest 3.1): `/authorize` with `audience=api.atlassian.com`, the token
    /// endpoint `/oauth/token` (JSON or form) with rotating single-use refresh tokens, and
    /// `/oauth/token/accessible-resources`, the sites a token reaches with their cloud ids.
    func addJiraOAuthRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/authorize") { [self] request, _ -> Response in
            let configuration = self.configuration
            guard SandboxHTTP.queryValue(request, "audience") == "api.atlassian.com" else {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_request"), "error_description": .string("audience=api.atlassian.com is required")]))
            }
            guard SandboxHTTP.queryValue(request, "client_id") == configuration.clientID, SandboxHTTP.queryValue(request, "response_type") == "code",
                  let redirect = SandboxHTTP.queryValue(request, "redirect_uri"), redirect == configuration.redirectURI,
                  let state = SandboxHTTP.queryValue(request, "state"), !state.isEmpty else {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_request"), "error_description": .string("client_id, response_type=code, state and the registered redirect_uri are required")]))
            }
            let code = tokens.issueCode(.init(redirectURI: redirect, codeChallenge: nil))
            return Response(status: .found, headers: [.location: redirect + "?code=\(code)&state=" + (state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state)])
        }
        router.post("/oauth/token") { [self] request, _ -> Response in
            faultGate.count(request)
            tokens.countTokenRequest()
            let configuration = self.configuration
            let issued: OAuthTokenStore.Issued
            switch tokens.grant(try await OAuthTokenStore.tokenRequestFields(request), clientID: configuration.clientID, clientSecret: configuration.clientSecret) {
            case .success(let pair): issued = pair
            case .failure(.unknownClient): return SandboxHTTP.json(.unauthorized, .object(["error": .string("access_denied"), "error_description": .string("Unauthorized")]))
            case .failure(.invalidCode): return Self.invalidGrant("Invalid authorization code")
            // Rotating refresh tokens: the one presented is spent (digest 3.1).
            case .failure(.invalidRefreshToken): return Self.invalidGrant("Unknown or invalid refresh token.")
            case .failure(.unsupportedGrantType): return SandboxHTTP.json(.badRequest, .object(["error": .string("unsupported_grant_type")]))
            }
            var body: [String: JSONValue] = ["access_token": .string(issued.accessToken), "expires_in": .int(issued.expiresIn), "token_type": .string("Bearer"),
                                             "scope": .string("read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access")]
            if let refresh = issued.refreshToken { body["refresh_token"] = .string(refresh) }
            return SandboxHTTP.json(.ok, .object(body))
        }
        router.get("/oauth/token/accessible-resources") { [self] request, _ -> Response in
            if let refusal = await faultGate.admit(request, authorize: { tokens.accepts(request) && tokens.isOAuth(request) ? nil : Self.error(.unauthorized, "Unauthorized") }) {
                return refusal
            }
            let host = request.head.authority ?? "127.0.0.1"
            return SandboxHTTP.json(.ok, .array([.object([
                "id": .string(cloudID), "url": .string("http://\(host)"), "name": .string("sandbox-agency"),
                "scopes": .array(["read:jira-work", "write:jira-work", "read:jira-user", "manage:jira-webhook"].map { .string($0) }),
                "avatarUrl": .string("https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png"),
            ])]))
        }
    }

    static func invalidGrant(_ description: String) -> Response {
        SandboxHTTP.json(.forbidden, .object(["error": .string("invalid_grant"), "error_description": .string(description)]))
    }
}
