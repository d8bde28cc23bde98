import Foundation
import Hummingbird
import HTTPTypes

extension QuickBooksSandbox {
    /// Intuit's OAuth 2.0 endpoints (api digest 1.1): the authorize page redirects with `code`,
    /// `state` and `realmId`; the token endpoint takes the app in HTTP Basic; revoke; and the
    /// discovery document the official clients read their endpoints from.
    func addOAuthRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/.well-known/openid_configuration") { request, _ -> Response in
            let base = "http://" + (request.head.authority ?? "127.0.0.1")
            return SandboxHTTP.json(.ok, .object([
                "issuer": .string(base + "/op/v1"), "authorization_endpoint": .string(base + "/connect/oauth2"),
                "token_endpoint": .string(base + "/oauth2/v1/tokens/bearer"), "revocation_endpoint": .string(base + "/v2/oauth2/tokens/revoke"),
                "userinfo_endpoint": .string(base + "/v1/openid_connect/userinfo"), "jwks_uri": .string(base + "/op/v1/jwks"),
            ]))
        }

        router.get("/connect/oauth2") { [self] request, _ -> Response in
            guard SandboxHTTP.queryValue(request, "client_id") == configuration.clientID, SandboxHTTP.queryValue(request, "response_type") == "code" else {
                return QuickBooksErrors.tokenError("invalid_request", "unknown client_id or response_type is not code")
            }
            guard let redirect = SandboxHTTP.queryValue(request, "redirect_uri"), redirect == configuration.redirectURI else {
                return QuickBooksErrors.tokenError("invalid_request", "redirect_uri does not match the app's registered URI")
            }
            let code = tokens.issueCode(.init(redirectURI: redirect, codeChallenge: nil))
            var pairs = [("code", code)]
            if let state = SandboxHTTP.queryValue(request, "state") { pairs.append(("state", state)) }
            pairs.append(("realmId", configuration.realmID))
            return Response(status: .found, headers: [.location: redirect + "?" + SandboxHTTP.formEncode(pairs)])
        }

        router.post("/oauth2/v1/tokens/bearer") { [self] request, _ -> Response in
            faultGate.count(request)
            tokens.countTokenRequest()
            guard appAuthenticated(request) else {
                return QuickBooksErrors.tokenError("invalid_client", "client authentication failed: send Authorization: Basic base64(client_id:client_secret)", status: .unauthorized)
            }
            let fields = Dictionary(SandboxHTTP.formPairs(try await SandboxHTTP.text(request)), uniquingKeysWith: { _, last in last })
            let issued: OAuthTokenStore.Issued
            switch fields["grant_type"] {
            case "authorization_code":
                guard let code = fields["code"], let grant = tokens.redeemCode(code), grant.redirectURI == fields["redirect_uri"] else {
                    return QuickBooksErrors.tokenError("invalid_grant", "Token invalid")
                }
                issued = tokens.issuePair()
            case "refresh_token":
                guard let refresh = fields["refresh_token"], case .issued(let pair) = tokens.refresh(refresh) else {
                    return QuickBooksErrors.tokenError("invalid_grant", "Token invalid")
                }
                issued = pair
            default:
                return QuickBooksErrors.tokenError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
            }
            return SandboxHTTP.json(.ok, .object([
                "access_token": .string(issued.accessToken), "refresh_token": .string(issued.refreshToken ?? ""), "token_type": .string("bearer"),
                "expires_in": .int(issued.expiresIn), "x_refresh_token_expires_in": .int(8_726_400),
            ]))
        }

        router.post("/v2/oauth2/tokens/revoke") { [self] request, _ -> Response in
            faultGate.count(request)
            guard appAuthenticated(request) else { return QuickBooksErrors.tokenError("invalid_client", "client authentication failed", status: .unauthorized) }
            let body = try await SandboxHTTP.jsonBody(request)
            guard let token = body["token"]?.text, tokens.revoke(token) else { return QuickBooksErrors.tokenError("invalid_request", "unknown token") }
            return Response(status: .ok)
        }
    }

    /// True when the request carries the app's id and secret in HTTP Basic (RFC 6749 §2.3.1).
    private func appAuthenticated(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }) else { return false }
        let parts = decoded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { String($0).removingPercentEncoding ?? String($0) }
        return parts.count == 2 && parts[0] == configuration.clientID && parts[1] == configuration.clientSecret
    }
}
