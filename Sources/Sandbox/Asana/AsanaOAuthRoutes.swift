import Crypto
import Foundation
import Hummingbird
import HTTPTypes

extension AsanaSandbox {
    /// `/-/oauth_authorize` and `/-/oauth_token` (digest B2): codes with PKCE (S256), one-hour
    /// access tokens, refresh tokens that stay valid (no rotation).
    func addAsanaOAuthRoutes(to router: Router<BasicRequestContext>) {
        router.get("/-/oauth_authorize") { [self] request, _ -> Response in
            let configuration = self.configuration
            guard SandboxHTTP.queryValue(request, "client_id") == configuration.clientID, SandboxHTTP.queryValue(request, "response_type") == "code",
                  let redirect = SandboxHTTP.queryValue(request, "redirect_uri"), redirect == configuration.redirectURI else {
                return Self.error(.badRequest, "invalid_request: client_id, response_type=code and the registered redirect_uri are required")
            }
            guard let state = SandboxHTTP.queryValue(request, "state"), !state.isEmpty else { return Self.error(.badRequest, "invalid_request: state is required") }
            let code = "code-" + UUID().uuidString.lowercased()
            let challenge = SandboxHTTP.queryValue(request, "code_challenge")
            world.withLockedValue { $0.authorizationCodes[code] = (redirect, challenge) }
            return Response(status: .found, headers: [.location: redirect + "?code=\(code)&state=" + (state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state)])
        }
        router.post("/-/oauth_token") { [self] request, _ -> Response in
            let fields = Dictionary(SandboxHTTP.formPairs(try await SandboxHTTP.text(request)), uniquingKeysWith: { _, last in last })
            let configuration = self.configuration
            guard fields["client_id"] == configuration.clientID, fields["client_secret"] == configuration.clientSecret else {
                return SandboxHTTP.json(.unauthorized, .object(["error": .string("invalid_client"), "error_description": .string("The client credentials are invalid.")]))
            }
            let now = Date()
            return world.withLockedValue { world -> Response in
                world.requestCounts["POST /-/oauth_token", default: 0] += 1
                var refresh: String?
                switch fields["grant_type"] {
                case "authorization_code":
                    guard let code = fields["code"], let grant = world.authorizationCodes.removeValue(forKey: code), grant.redirect == fields["redirect_uri"] else {
                        return SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_grant"), "error_description": .string("The authorization code is invalid or expired.")]))
                    }
                    if let challenge = grant.challenge {
                        let verifier = fields["code_verifier"] ?? ""
                        let computed = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
                            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
                        guard computed == challenge else {
                            return SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_grant"), "error_description": .string("code_verifier does not match the code_challenge.")]))
                        }
                    }
                    refresh = "1/refresh/" + UUID().uuidString.lowercased()
                    world.refreshTokens.insert(refresh!)
                case "refresh_token":
                    guard let token = fields["refresh_token"], world.refreshTokens.contains(token), !world.revoked.contains(token) else {
                        return SandboxHTTP.json(.badRequest, .object(["error": .string("invalid_grant"), "error_description": .string("The refresh token is invalid.")]))
                    }
                default:
                    return SandboxHTTP.json(.badRequest, .object(["error": .string("unsupported_grant_type")]))
                }
                let access = "1/oauth/" + UUID().uuidString.lowercased()
                let lifetime = Int(world.configuration.accessTokenLifetime.components.seconds)
                world.oauthTokens[access] = now.addingTimeInterval(Double(lifetime))
                var body: [String: JSONValue] = ["access_token": .string(access), "expires_in": .int(lifetime), "token_type": .string("bearer"),
                                                 "data": .object(["id": .string(world.meGID), "gid": .string(world.meGID), "name": .string("Avery Owner"), "email": .string("avery@sandbox-agency.test")])]
                if let refresh { body["refresh_token"] = .string(refresh) }
                return SandboxHTTP.json(.ok, .object(body))
            }
        }
    }

    /// `/_sandbox/…`: faults, revocation, heartbeats, forced webhook deletion, sync expiry.
    func addAsanaAdminRoutes(to router: Router<BasicRequestContext>) {
        router.put("/_sandbox/faults") { [self] request, _ -> Response in
            let data = Data((try await SandboxHTTP.text(request)).utf8)
            guard let plan = try? JSONDecoder().decode(FaultPlan.self, from: data.isEmpty ? Data("{}".utf8) : data) else {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("not a fault plan")]))
            }
            setFaults(plan)
            return SandboxHTTP.json(.ok, .object(["ok": .bool(true)]))
        }
        router.post("/_sandbox/revoke") { [self] _, _ -> Response in
            revokeTokens()
            return SandboxHTTP.json(.ok, .object(["revoked": .bool(true)]))
        }
        router.post("/_sandbox/heartbeat") { [self] _, _ -> Response in
            sendHeartbeats()
            return SandboxHTTP.json(.ok, .object(["sent": .bool(true)]))
        }
        router.delete("/_sandbox/webhooks/:webhook") { [self] _, context -> Response in
            deleteWebhook(try context.parameters.require("webhook"))
            return SandboxHTTP.json(.ok, .object(["deleted": .bool(true)]))
        }
        router.post("/_sandbox/expire-sync") { [self] _, _ -> Response in
            expireSyncTokens()
            return SandboxHTTP.json(.ok, .object(["expired": .bool(true)]))
        }
    }

    /// Starts an Asana sandbox on its own loopback server.
    public static func serve(configuration: Configuration = Configuration(), port: Int = 0) async throws -> (sandbox: AsanaSandbox, server: SandboxServer) {
        let sandbox = AsanaSandbox(configuration: configuration)
        let router = Router()
        sandbox.addRoutes(to: router)
        return (sandbox, try await SandboxServer.start(router, port: port, label: "asana-sandbox"))
    }
}
