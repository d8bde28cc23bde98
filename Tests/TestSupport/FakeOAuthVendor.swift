import ConnectorKit
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A minimal OAuth-protected API on loopback: `GET /resource` needs the current access token;
/// `POST /oauth/token` rotates the pair and kills the refresh token it was given. It counts
/// token calls and any reuse of a spent refresh token.
public final class FakeOAuthVendor: Sendable {
    struct State {
        var accessToken: String
        var refreshToken: String
        var spentRefreshTokens: Set<String> = []
        var tokenCalls = 0
        var spentTokenReuse = 0
        var resourceCalls = 0
        var unauthorizedCalls = 0
    }

    private let state: NIOLockedValueBox<State>
    /// How long the token endpoint takes (widens the window in which callers could race).
    public let tokenDelay: Duration
    /// The running server.
    public let server: LoopbackServer

    /// Starts the vendor; the client's stored access token is considered expired, so its first
    /// call meets a 401.
    public static func start(refreshToken: String, tokenDelay: Duration = .milliseconds(150)) async throws -> FakeOAuthVendor {
        let state = NIOLockedValueBox(State(accessToken: "live-\(UUID().uuidString)", refreshToken: refreshToken))
        let server = try await LoopbackServer.start(router(state: state, tokenDelay: tokenDelay))
        return FakeOAuthVendor(state: state, tokenDelay: tokenDelay, server: server)
    }

    /// Starts the vendor for `body` and stops its server before returning, also when `body` throws.
    public static func with<Value>(
        refreshToken: String, tokenDelay: Duration = .milliseconds(150),
        isolation: isolated (any Actor)? = #isolation, _ body: (FakeOAuthVendor) async throws -> Value
    ) async throws -> Value {
        try await withStarted({ try await start(refreshToken: refreshToken, tokenDelay: tokenDelay) }, stop: { await $0.server.stop() }, body)
    }

    private init(state: NIOLockedValueBox<State>, tokenDelay: Duration, server: LoopbackServer) {
        self.state = state
        self.tokenDelay = tokenDelay
        self.server = server
    }

    /// How many times the token endpoint was called.
    public var tokenCalls: Int { state.withLockedValue { $0.tokenCalls } }
    /// How many times a refresh token was presented again after it was spent.
    public var spentTokenReuse: Int { state.withLockedValue { $0.spentTokenReuse } }
    /// Successful resource calls.
    public var resourceCalls: Int { state.withLockedValue { $0.resourceCalls } }
    /// The refresh token the vendor will accept next.
    public var currentRefreshToken: String { state.withLockedValue { $0.refreshToken } }
    /// The access token the vendor accepts now.
    public var currentAccessToken: String { state.withLockedValue { $0.accessToken } }

    private static func router(state: NIOLockedValueBox<State>, tokenDelay: Duration) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/resource") { [state] request, _ -> Response in
            let presented = request.headers[.authorization] ?? ""
            let ok = state.withLockedValue { state -> Bool in
                if presented == "Bearer \(state.accessToken)" {
                    state.resourceCalls += 1
                    return true
                }
                state.unauthorizedCalls += 1
                return false
            }
            return ok ? Response(status: .ok, body: .init(byteBuffer: .init(string: #"{"ok":true}"#)))
                : Response(status: .unauthorized, body: .init(byteBuffer: .init(string: #"{"error":"invalid_token"}"#)))
        }
        router.post("/oauth/token") { [state, tokenDelay] request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            let fields = FormEncoding.decode(String(buffer: body))
            try await Task.sleep(for: tokenDelay)
            let issued = state.withLockedValue { state -> (String, String)? in
                state.tokenCalls += 1
                guard fields["grant_type"] == "refresh_token", let presented = fields["refresh_token"] else { return nil }
                if state.spentRefreshTokens.contains(presented) {
                    state.spentTokenReuse += 1
                    return nil
                }
                guard presented == state.refreshToken else { return nil }
                state.spentRefreshTokens.insert(presented)
                state.accessToken = "access-\(UUID().uuidString)"
                state.refreshToken = "refresh-\(UUID().uuidString)"
                return (state.accessToken, state.refreshToken)
            }
            guard let (access, refresh) = issued else {
                return Response(status: .badRequest, body: .init(byteBuffer: .init(string: #"{"error":"invalid_grant"}"#)))
            }
            let json = #"{"access_token":"\#(access)","refresh_token":"\#(refresh)","expires_in":3600,"token_type":"Bearer"}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: json)))
        }
        return router
    }
}
