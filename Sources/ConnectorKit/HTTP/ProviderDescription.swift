/// The facts about one vendor's API that shared code needs: hosts, limits, auth shape, header
/// names. One small value per system, read by the pipeline, the vault and the webhook ingress,
/// so that no vendor fact is coded twice.
public struct ProviderDescription: Sendable {
    /// Which system this describes.
    public var system: SystemKind
    /// The vendor's name as users read it (`FreshBooks`), for messages.
    public var displayName: String
    /// Production base URLs by role (`api`, `auth`, `token`…); a connection may override each.
    public var defaultBaseURLs: [String: String]
    /// How the credential is sent.
    public var authScheme: AuthScheme
    /// The OAuth token endpoint, as a base-URL role and a path (nil for token-less systems).
    public var tokenEndpoint: TokenEndpoint?
    /// The OAuth authorize page (nil when the vendor offers no authorization-code flow).
    public var authorization: AuthorizationFacts?
    /// The header that carries a webhook delivery's signature (nil: no signed webhooks).
    public var signatureHeader: String?
    /// The vendor's published request limit, enforced before sending.
    public var rateLimit: RateLimit
    /// How long one request may take.
    public var requestTimeout: Duration
    /// How often and how long to retry.
    public var retry: RetryPolicy
    /// The header that carries the vendor's request id, for the audit trail.
    public var requestIDHeader: String?
    /// The header that carries an idempotency key, for vendors that honour one.
    public var idempotencyHeader: String?
    /// The query parameter that carries an idempotency key, for vendors that take it in the URL
    /// (QuickBooks `requestid`).
    public var idempotencyQueryParameter: String?
    /// Bounds on what the vendor's answers may make the pipeline do (wait, read).
    public var limits: VendorLimits

    /// Describes a provider.
    public init(
        system: SystemKind,
        displayName: String? = nil,
        defaultBaseURLs: [String: String],
        authScheme: AuthScheme = .bearer,
        tokenEndpoint: TokenEndpoint? = nil,
        authorization: AuthorizationFacts? = nil,
        signatureHeader: String? = nil,
        rateLimit: RateLimit,
        requestTimeout: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy(),
        requestIDHeader: String? = nil,
        idempotencyHeader: String? = nil,
        idempotencyQueryParameter: String? = nil,
        limits: VendorLimits = VendorLimits()
    ) {
        self.system = system
        self.displayName = displayName ?? system.rawValue
        self.defaultBaseURLs = defaultBaseURLs
        self.authScheme = authScheme
        self.tokenEndpoint = tokenEndpoint
        self.authorization = authorization
        self.signatureHeader = signatureHeader
        self.rateLimit = rateLimit
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.requestIDHeader = requestIDHeader
        self.idempotencyHeader = idempotencyHeader
        self.idempotencyQueryParameter = idempotencyQueryParameter
        self.limits = limits
    }
}

extension ProviderDescription {
    /// The description one connection runs under: the connection's own request limit
    /// (`settings.rate_limit`, e.g. `100/1s`) replaces the published one. The one place the
    /// override is read.
    public func resolved(for connection: Connection) -> ProviderDescription {
        var provider = self
        if let text = connection[setting: .rateLimit], let limit = RateLimitText.parse(text) {
            provider.rateLimit = limit
        }
        return provider
    }
}

/// The OAuth 2 authorization-code page of a vendor (RFC 6749 §4.1.1).
public struct AuthorizationFacts: Sendable, Equatable {
    /// The base-URL role of the authorize host.
    public var baseURLRole: String
    /// The authorize path on that host.
    public var path: String
    /// Scopes asked for, space-separated on the wire (empty: the app's defaults).
    public var scopes: [String]
    /// Whether the vendor supports PKCE (RFC 7636, S256); then every flow uses it.
    public var pkce: Bool
    /// The redirect's query parameter that names the account the user chose, for vendors that
    /// say it only there (QuickBooks `realmId`); nil when the identity call lists the accounts.
    public var redirectAccountParameter: String?
    /// Further query parameters the vendor's page requires, in order (Atlassian's `audience`, `prompt`).
    public var extraParameters: [String]

    /// Describes an authorize page; `extraParameters` are `name=value` pairs.
    public init(baseURLRole: String, path: String, scopes: [String] = [], pkce: Bool = false, redirectAccountParameter: String? = nil, extraParameters: [String] = []) {
        self.baseURLRole = baseURLRole
        self.path = path
        self.scopes = scopes
        self.pkce = pkce
        self.redirectAccountParameter = redirectAccountParameter
        self.extraParameters = extraParameters
    }
}

/// `N/1s`, `N/60s`, `N/1m`: a request limit as an operator writes it.
public enum RateLimitText {
    /// Reads the text; nil when malformed.
    public static func parse(_ text: String) -> RateLimit? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0, count <= 1_000_000,
              let amount = Int(parts[1].dropLast()), amount > 0, amount <= 86_400 else { return nil }
        switch parts[1].last {
        case "s": return RateLimit(requests: count, per: .seconds(amount))
        case "m": return RateLimit(requests: count, per: .seconds(amount * 60))
        default: return nil
        }
    }
}

/// How a credential is attached to a request.
public enum AuthScheme: Sendable, Equatable {
    /// `Authorization: Bearer <accessToken>`.
    case bearer
    /// `Authorization: Basic base64(username:password)`.
    case basic
    /// The access token in a header of the vendor's choosing.
    case header(String)
}

/// Where and how to ask for a new access token.
public struct TokenEndpoint: Sendable, Equatable {
    /// How the token request body is encoded.
    public enum Encoding: Sendable, Equatable {
        case form
        case json
    }

    /// The base-URL role of the token host (`auth`, `token`…).
    public var baseURLRole: String
    /// The path on that host.
    public var path: String
    /// Form or JSON body.
    public var encoding: Encoding
    /// Whether the refresh request repeats the redirect URI (FreshBooks asks for it).
    public var sendsRedirectURIOnRefresh: Bool
    /// How the app proves who it is to the token endpoint (RFC 6749 §2.3.1).
    public var clientAuthentication: ClientAuthentication

    /// Describes a token endpoint.
    public init(baseURLRole: String, path: String, encoding: Encoding = .form, sendsRedirectURIOnRefresh: Bool = false, clientAuthentication: ClientAuthentication = .body) {
        self.baseURLRole = baseURLRole
        self.path = path
        self.encoding = encoding
        self.sendsRedirectURIOnRefresh = sendsRedirectURIOnRefresh
        self.clientAuthentication = clientAuthentication
    }

    /// How the client id and secret reach the token endpoint (RFC 6749 §2.3.1).
    public enum ClientAuthentication: Sendable, Equatable {
        /// `client_id` and `client_secret` in the request body.
        case body
        /// `Authorization: Basic base64(client_id:client_secret)`, each form-encoded first.
        case basic
    }
}

/// A published request limit: `requests` per `per`, with bursts up to `burst`.
///
/// The bucket sends at the published figure, not under it: no `requests + 1` requests ever go
/// within `per` of when the vendor may have counted the first (its answer's arrival, or its
/// send time plus `allowance` for the way when that is sooner), so a vendor that counts
/// arrivals in a sliding window sees at most the limit even when some requests arrive late and
/// the next on time. Over a long read that is `requests` every `per` plus the vendor's answer
/// time, at worst `per + allowance`: 97.5% of a one-second limit, 99% of a per-minute one.
/// (A margin of a fixed share, as before, ran 10/s at 9/s.)
public struct RateLimit: Sendable, Equatable {
    /// Requests the vendor allows in each window.
    public var requests: Int
    /// The window.
    public var per: Duration
    /// How many requests may go at once after a quiet spell: a twentieth of the published
    /// figure unless said otherwise, at least one and at most the figure.
    public var burst: Int

    /// The most send times a bucket keeps to hold its windows to the limit: a limit above it
    /// is held over spans of this many requests instead (see `windowRequests`).
    public static let trackedRequests = 100_000

    /// The shortest window a limit may have: a zero or negative one would make the refill
    /// rate infinite or negative, and a wait computed from it trap.
    public static let shortestWindow: Duration = .milliseconds(1)

    /// Describes a limit.
    public init(requests: Int, per: Duration, burst: Int? = nil) {
        self.requests = max(1, requests)
        self.per = max(per, Self.shortestWindow)
        self.burst = max(1, min(burst ?? self.requests / 20, self.requests))
    }

    /// Time allowed for a request on its way to the vendor, added to every window: requests a
    /// bucket spaces exactly can arrive bunched (scheduling, the network), and a vendor counts
    /// them when they arrive. A hundredth of the window, at least 25 ms and at most 2 s.
    public var allowance: Duration {
        min(max(.milliseconds(25), per / 100), .seconds(2))
    }

    /// Into how many equal spans the window is cut so each tracks at most `trackedRequests`.
    /// (Rounded up without adding first, which would overflow for a limit near `Int.max`.)
    private var windowParts: Int { (max(1, requests) - 1) / Self.trackedRequests + 1 }

    /// How many consecutive requests the bucket looks back over: the limit itself, or a share
    /// of it no larger than `trackedRequests` (a limit of a million a minute keeps no million
    /// send times).
    public var windowRequests: Int { max(1, requests) / windowParts }

    /// The shortest time `windowRequests + 1` consecutive requests may span: the window plus
    /// the allowance, cut into `windowParts` when fewer requests than the limit are tracked
    /// (`requests + 1` requests then hold at least that many such spans end to end).
    public var windowSpan: Duration {
        (per + allowance) / windowParts
    }

    /// The allowance's share of one `windowSpan`: how long after a request was sent the vendor
    /// may count it, unless its answer came back sooner.
    public var spanAllowance: Duration {
        allowance / windowParts
    }

    /// `windowSpan` less its allowance: the least time from when the vendor may have counted a
    /// request to the send of the one `windowRequests` after it.
    public var windowGap: Duration {
        per / windowParts
    }

    /// Tokens added per second: the published figure (`requests / per`). The window, not the
    /// refill, holds a long run to the limit.
    public var refillPerSecond: Double {
        Double(requests) / per.seconds
    }
}
