import Foundation
import Hummingbird
import HTTPTypes

extension FreshBooksSandbox {
    /// `GET /oauth/authorize` (the auth host) and `POST /auth/oauth/token` (api digest A2):
    /// codes for a registered redirect URI; refresh tokens are single use and rotate.
    func addOAuthRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/oauth/authorize") { [self] request, _ -> Response in
            let clientID = SandboxHTTP.queryValue(request, "client_id")
            let redirect = SandboxHTTP.queryValue(request, "redirect_uri")
            let state = SandboxHTTP.queryValue(request, "state")
            let configuration = self.configuration
            guard clientID == configuration.clientID, SandboxHTTP.queryValue(request, "response_type") == "code" else {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_request"), "error_description": .string("unknown client_id or response_type is not code")]))
            }
            guard let redirect, redirect == configuration.redirectURI else {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_request"), "error_description": .string("redirect_uri does not match the app's registered URI")]))
            }
            let code = tokens.issueCode(.init(redirectURI: redirect, codeChallenge: nil))
            var location = redirect + "?code=\(code)"
            if let state { location += "&state=" + SandboxHTTP.formEncode([("s", state)]).dropFirst(2) }
            return Response(status: .found, headers: [.location: location])
        }

        router.post("/auth/oauth/token") { [self] request, _ -> Response in
            let body = try await SandboxHTTP.text(request)
            let fields: [String: String]
            if request.headers[.contentType]?.contains("json") == true {
                fields = (try? JSONValue.parse(Data(body.utf8)))?.object?.compactMapValues(\.text) ?? [:]
            } else {
                fields = Dictionary(SandboxHTTP.formPairs(body), uniquingKeysWith: { _, last in last })
            }
            tokens.countTokenRequest()
            let configuration = self.configuration
            guard fields["client_id"] == configuration.clientID, fields["client_secret"] == configuration.clientSecret else {
                return FreshBooksErrors.tokenError("Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
            }
            let issued: OAuthTokenStore.Issued
            switch fields["grant_type"] {
            case "authorization_code":
                guard let code = fields["code"], let grant = tokens.redeemCode(code), grant.redirectURI == fields["redirect_uri"] else {
                    return FreshBooksErrors.tokenError("The provided authorization grant is invalid, expired, revoked, or does not match the redirection URI.")
                }
                issued = tokens.issuePair()
            case "refresh_token":
                guard let refresh = fields["refresh_token"] else { return FreshBooksErrors.tokenError("refresh_token is required") }
                guard case .issued(let pair) = tokens.refresh(refresh) else {
                    return FreshBooksErrors.tokenError("The provided authorization grant is invalid, expired, revoked, or was issued to another client.")
                }
                issued = pair
            default:
                return SandboxHTTP.json(.badRequest, .object(["error": .string("unsupported_grant_type")]))
            }
            return SandboxHTTP.json(.ok, .object([
                "access_token": .string(issued.accessToken), "refresh_token": issued.refreshToken.map { .string($0) } ?? .null, "token_type": .string("Bearer"),
                "expires_in": .int(issued.expiresIn), "scope": .string("user:profile:read user:clients:read user:clients:write user:invoices:read user:invoices:write user:payments:read user:expenses:read user:expenses:write user:projects:read user:projects:write user:time_entries:read user:teams:read"),
                "created_at": .int(Int(Date().timeIntervalSince1970)),
            ]))
        }
    }
}
