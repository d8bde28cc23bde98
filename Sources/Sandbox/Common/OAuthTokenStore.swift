import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// The OAuth state of one vendor sandbox: authorization codes, access tokens with their expiry,
/// refresh tokens, personal (static) tokens and revocation. Each vendor keeps its own token
/// endpoint and wire format; the rules for what is valid live here once.
final class OAuthTokenStore: Sendable {
    /// What presenting a refresh token does.
    enum RefreshPolicy: Sendable {
        /// The refresh token is spent: the answer carries a new one, and the access tokens issued
        /// before it stop working (FreshBooks, api digest A2).
        case singleUse
        /// The refresh token stays valid and the answer carries none (Asana, api digest B2).
        case reusable
        /// The answer always carries a refresh token: the same one until it is `rotateAfter`
        /// old, then a new one, while the one it replaced keeps working for `grace`
        /// (QuickBooks, api digest 1.1).
        case rotating(rotateAfter: Duration, grace: Duration)
    }

    /// Tokens issued together.
    struct Issued: Sendable {
        var accessToken: String
        /// Nil when a reusable refresh token was presented.
        var refreshToken: String?
        /// Seconds the access token lives.
        var expiresIn: Int
    }

    /// A code from the authorize step, waiting to be exchanged.
    struct AuthorizationGrant: Sendable {
        var redirectURI: String
        /// The PKCE `code_challenge` (S256), when the client sent one.
        var codeChallenge: String?
    }

    /// The outcome of presenting a refresh token.
    enum RefreshOutcome: Sendable {
        case issued(Issued)
        /// A single-use token presented again (counted as `spentTokenReuse`).
        case spent
        case unknown
    }

    private struct AccessToken {
        var expiresAt: Date
        var revoked = false
    }

    private struct State {
        var accessTokens: [String: AccessToken] = [:]
        var personalTokens: [String: Bool] = [:]
        var refreshTokens: Set<String> = []
        var spentRefreshTokens: Set<String> = []
        /// When each live refresh token was issued (rotating policy).
        var refreshIssuedAt: [String: Date] = [:]
        /// A replaced refresh token → its successor and the end of its grace (rotating policy).
        var replacedRefreshTokens: [String: (successor: String, until: Date)] = [:]
        var codes: [String: AuthorizationGrant] = [:]
        var tokenRequests = 0
        var spentTokenReuse = 0
    }

    private let state = NIOLockedValueBox(State())
    private let accessLifetime: Int
    private let refreshPolicy: RefreshPolicy
    private let newAccessToken: @Sendable () -> String
    private let newRefreshToken: @Sendable () -> String

    /// - Parameters:
    ///   - accessLifetime: how long an access token lives.
    ///   - newAccessToken, newRefreshToken: the vendor's token format.
    init(accessLifetime: Duration, refreshPolicy: RefreshPolicy, newAccessToken: @escaping @Sendable () -> String, newRefreshToken: @escaping @Sendable () -> String) {
        self.accessLifetime = max(1, Int(accessLifetime.components.seconds))
        self.refreshPolicy = refreshPolicy
        self.newAccessToken = newAccessToken
        self.newRefreshToken = newRefreshToken
    }

    /// A random token: `prefix` and 32 hex digits.
    static func random(_ prefix: String) -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Issues an access/refresh pair (the code exchange, or the demo's connected start).
    func issuePair(now: Date = Date()) -> Issued {
        state.withLockedValue { state in
            let refresh = newRefreshToken()
            state.refreshTokens.insert(refresh)
            state.refreshIssuedAt[refresh] = now
            return Self.issueAccess(&state, refresh: refresh, lifetime: accessLifetime, token: newAccessToken(), now: now)
        }
    }

    /// Accepts `token` as a personal access token: valid until revoked, never expiring.
    func addPersonalToken(_ token: String) {
        state.withLockedValue { $0.personalTokens[token] = true }
    }

    /// True when the request carries `Authorization: Bearer <token>` with a live token.
    func accepts(_ request: Request, now: Date = Date()) -> Bool {
        guard let token = Self.bearer(request) else { return false }
        return state.withLockedValue { state in
            if let live = state.personalTokens[token] { return live }
            guard let access = state.accessTokens[token] else { return false }
            return !access.revoked && access.expiresAt > now
        }
    }

    /// True when the request's bearer token is an OAuth access token (not a personal one).
    func isOAuth(_ request: Request) -> Bool {
        guard let token = Self.bearer(request) else { return false }
        return state.withLockedValue { $0.accessTokens[token] != nil }
    }

    /// Exchanges a refresh token according to the policy.
    func refresh(_ token: String, now: Date = Date()) -> RefreshOutcome {
        state.withLockedValue { state in
            switch refreshPolicy {
            case .reusable:
                guard state.refreshTokens.contains(token) else { return .unknown }
                return .issued(Self.issueAccess(&state, refresh: nil, lifetime: accessLifetime, token: newAccessToken(), now: now))
            case .singleUse:
                if state.spentRefreshTokens.contains(token) {
                    state.spentTokenReuse += 1
                    return .spent
                }
                guard state.refreshTokens.remove(token) != nil else { return .unknown }
                state.spentRefreshTokens.insert(token)
                // A new pair invalidates the access tokens issued before it.
                for key in state.accessTokens.keys { state.accessTokens[key]?.revoked = true }
                let refresh = newRefreshToken()
                state.refreshTokens.insert(refresh)
                return .issued(Self.issueAccess(&state, refresh: refresh, lifetime: accessLifetime, token: newAccessToken(), now: now))
            case .rotating(let rotateAfter, let grace):
                var current = token
                if !state.refreshTokens.contains(current) {
                    // A replaced token inside its grace answers as its newest successor does.
                    guard let replaced = state.replacedRefreshTokens[current], replaced.until > now else { return .unknown }
                    current = replaced.successor
                    while !state.refreshTokens.contains(current), let next = state.replacedRefreshTokens[current]?.successor { current = next }
                    guard state.refreshTokens.contains(current) else { return .unknown }
                }
                if now.timeIntervalSince(state.refreshIssuedAt[current] ?? now) >= Double(rotateAfter.components.seconds) {
                    let successor = newRefreshToken()
                    state.refreshTokens.remove(current)
                    state.refreshTokens.insert(successor)
                    state.refreshIssuedAt[successor] = now
                    state.replacedRefreshTokens[current] = (successor, now.addingTimeInterval(Double(grace.components.seconds)))
                    current = successor
                }
                return .issued(Self.issueAccess(&state, refresh: current, lifetime: accessLifetime, token: newAccessToken(), now: now))
            }
        }
    }

    /// Revokes a refresh token (with every token it replaced or that replaced it) or an access
    /// token; false when the store does not know it.
    func revoke(_ token: String) -> Bool {
        state.withLockedValue { state in
            if state.accessTokens[token] != nil {
                state.accessTokens[token]?.revoked = true
                return true
            }
            guard state.refreshTokens.contains(token) || state.replacedRefreshTokens[token] != nil else { return false }
            var chain: Set<String> = [token]
            var grew = true
            while grew {
                let before = chain.count
                for (old, replaced) in state.replacedRefreshTokens where chain.contains(old) || chain.contains(replaced.successor) {
                    chain.insert(old)
                    chain.insert(replaced.successor)
                }
                grew = chain.count > before
            }
            for revoked in chain {
                state.refreshTokens.remove(revoked)
                state.replacedRefreshTokens[revoked] = nil
            }
            // The sandbox serves one app: a revoked grant takes its access tokens with it.
            for key in state.accessTokens.keys { state.accessTokens[key]?.revoked = true }
            return true
        }
    }

    /// Why a request's bearer token is refused: none given, unknown, expired or revoked; nil when it is live.
    func refusal(_ request: Request, now: Date = Date()) -> String? {
        guard let token = Self.bearer(request) else { return "no bearer token" }
        return state.withLockedValue { state in
            if let live = state.personalTokens[token] { return live ? nil : "token revoked" }
            guard let access = state.accessTokens[token] else { return "token unknown" }
            if access.revoked { return "token revoked" }
            return access.expiresAt > now ? nil : "token expired"
        }
    }

    /// Issues an authorization code for the authorize step.
    func issueCode(_ grant: AuthorizationGrant) -> String {
        let code = Self.random("code_")
        state.withLockedValue { $0.codes[code] = grant }
        return code
    }

    /// Takes a code out (codes are single use); nil when unknown or already used.
    func redeemCode(_ code: String) -> AuthorizationGrant? {
        state.withLockedValue { $0.codes.removeValue(forKey: code) }
    }

    /// Revokes every access token, personal ones included: the next call meets a 401. Refresh
    /// tokens keep working, so a client can recover.
    func revokeAccessTokens() {
        state.withLockedValue { state in
            for key in state.accessTokens.keys { state.accessTokens[key]?.revoked = true }
            for key in state.personalTokens.keys { state.personalTokens[key] = false }
        }
    }

    /// Counts a call to the token endpoint.
    func countTokenRequest() {
        state.withLockedValue { $0.tokenRequests += 1 }
    }

    /// Token requests received, and how many presented a spent refresh token.
    var statistics: (requests: Int, spentReuse: Int) {
        state.withLockedValue { ($0.tokenRequests, $0.spentTokenReuse) }
    }

    private static func issueAccess(_ state: inout State, refresh: String?, lifetime: Int, token: String, now: Date) -> Issued {
        state.accessTokens[token] = AccessToken(expiresAt: now.addingTimeInterval(Double(lifetime)))
        return Issued(accessToken: token, refreshToken: refresh, expiresIn: lifetime)
    }

    private static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }
}
