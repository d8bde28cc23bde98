import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A stateful emulator of QuickBooks Online on loopback, written from Intuit's published
/// behaviour (api digest part 1, the XSDs in shared/specs/quickbooks) with its own JSON handling.
public final class QuickBooksSandbox: Sendable {
    /// How the sandbox behaves.
    public struct Configuration: Sendable {
        /// The OAuth app it accepts.
        public var clientID = "sandbox-quickbooks-client"
        /// The app's secret.
        public var clientSecret = "sandbox-quickbooks-secret-0001"
        /// The redirect URI registered for the app.
        public var redirectURI = "https://localhost/oauth/quickbooks/callback"
        /// The webhook verifier token the developer portal would show.
        public var verifierToken = "sandbox-quickbooks-verifier-0001"
        /// The company's realm id.
        public var realmID = "9341453050000001"
        /// Access tokens live this long (QBO: 1 hour).
        public var accessTokenLifetime: Duration = .seconds(3600)
        /// A refresh token is replaced once it is this old (QBO: about daily).
        public var refreshTokenRotation: Duration = .seconds(24 * 3600)
        /// A replaced refresh token keeps working this long (QBO: 24 hours).
        public var refreshTokenGrace: Duration = .seconds(24 * 3600)
        /// The per-realm limits: requests per minute and per second (QBO: 500 and 10).
        public var requestsPerMinute = 500
        /// See `requestsPerMinute`.
        public var requestsPerSecond = 10
        /// Requests a realm may have in flight at once (QBO's older policy: 10).
        public var concurrentRequests = 10
        /// How many `requestid` answers are remembered for repeats, the oldest forgotten first.
        public var rememberedRequestIDs = 10_000
        /// Seed the demo company (vendors, customers, classes, departments, accounts, two bills).
        public var seedCompany = true

        /// The defaults.
        public init() {}
    }

    let world: NIOLockedValueBox<QuickBooksWorld>
    let http: HTTPClient
    /// The app, company and limits it was started with.
    public let configuration: Configuration
    /// Faults, counters and the injected rate limit, shared with every sandbox.
    let faultGate = FaultGate(answers: FaultAnswers(
        injected: { status in QuickBooksErrors.fault(status, code: "\(status.code)", message: "injected fault", type: "SystemFault") },
        rateLimited: { QuickBooksErrors.throttled() },
        lostResponse: { QuickBooksErrors.fault(.badGateway, code: "502", message: "upstream connection lost", type: "SystemFault") }
    ))
    /// QBO's own per-realm limits (api digest 1.8), kept apart from injected faults.
    let throttle: RealmThrottle
    /// OAuth state: refresh tokens rotate with a grace period (api digest 1.1).
    let tokens: OAuthTokenStore
    /// Webhook deliveries sent or dropped.
    let deliveryLog = WebhookDeliveryLog()

    /// Creates a sandbox with the demo company.
    public init(configuration: Configuration = Configuration(), http: HTTPClient = .shared) {
        self.configuration = configuration
        world = NIOLockedValueBox(QuickBooksWorld(realmID: configuration.realmID, seed: configuration.seedCompany, answerMemory: configuration.rememberedRequestIDs))
        tokens = OAuthTokenStore(accessLifetime: configuration.accessTokenLifetime,
                                 refreshPolicy: .rotating(rotateAfter: configuration.refreshTokenRotation, grace: configuration.refreshTokenGrace),
                                 newAccessToken: { OAuthTokenStore.random("eyJqbwt.") }, newRefreshToken: { OAuthTokenStore.random("AB11") })
        throttle = RealmThrottle(perMinute: configuration.requestsPerMinute, perSecond: configuration.requestsPerSecond)
        self.http = http
    }

    /// The realm of the demo company.
    public var realmID: String { configuration.realmID }

    /// Issues a token pair without the browser step (the demo and tests start connected).
    public func issueTokens() -> (accessToken: String, refreshToken: String) {
        let issued = tokens.issuePair()
        return (issued.accessToken, issued.refreshToken ?? "")
    }

    /// Replaces the fault plan.
    public func setFaults(_ faults: FaultPlan) {
        faultGate.setPlan(faults)
    }

    /// Revokes every access token (the next call meets a 401).
    public func revokeAccessTokens() {
        tokens.revokeAccessTokens()
    }

    /// How many calls each `METHOD /path` received.
    public var requestCounts: [String: Int] { faultGate.requestCounts }

    /// Total API calls received.
    public var totalRequests: Int { requestCounts.values.reduce(0, +) }

    /// Token requests received.
    public var tokenRequests: Int { tokens.statistics.requests }

    /// Every route of the emulated API and its admin API.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group().add(middleware: StatusCountingMiddleware<BasicRequestContext>(gate: faultGate))
            .add(middleware: RealmConcurrencyMiddleware<BasicRequestContext>(limit: configuration.concurrentRequests))
        addOAuthRoutes(to: api)
        addEntityRoutes(to: api)
        addQueryRoutes(to: api)
        SandboxAdminAPI(gate: faultGate, tokens: tokens, deliveries: deliveryLog).addRoutes(to: router)
        addAdminRoutes(to: router)
    }

    /// Applies the fault plan, QBO's per-realm limits, the bearer token and the realm in the
    /// path; returns the response to send instead of the route's own, or nil to proceed.
    func gate(_ request: Request, realm: String) async -> Response? {
        await faultGate.admit(request) {
            if let refusal = tokens.refusal(request) { return QuickBooksErrors.unauthorized(refusal) }
            guard realm == configuration.realmID else {
                return QuickBooksErrors.fault(.forbidden, code: "3100", message: "ApplicationAuthorizationFailed", detail: "the token does not reach realm \(realm)", type: "AuthorizationFault")
            }
            return throttle.admit() ? nil : QuickBooksErrors.throttled()
        }
    }
}

extension QuickBooksSandbox {
    /// What `ml-connector sandbox --json` prints for QuickBooks: URLs, app credentials, a fresh
    /// token pair, the verifier token and the realm.
    public func describe(server: SandboxServer) -> [String: Any] {
        let tokens = issueTokens()
        return [
            "baseURL": server.baseURL, "authURL": server.baseURL, "adminURL": server.baseURL + "/_sandbox",
            "credentials": ["clientId": configuration.clientID, "clientSecret": configuration.clientSecret, "redirectURI": configuration.redirectURI,
                            "accessToken": tokens.accessToken, "refreshToken": tokens.refreshToken, "verifierToken": configuration.verifierToken],
            "ids": ["realmId": realmID],
        ]
    }

    /// Starts a QuickBooks sandbox on its own loopback server.
    public static func serve(configuration: Configuration = Configuration(), port: Int = 0) async throws -> (sandbox: QuickBooksSandbox, server: SandboxServer) {
        let sandbox = QuickBooksSandbox(configuration: configuration)
        let router = Router()
        sandbox.addRoutes(to: router)
        return (sandbox, try await SandboxServer.start(router, port: port, label: "quickbooks-sandbox"))
    }
}

/// QBO's own limits per realm: 500 requests a minute and 10 a second (api digest 1.8).
final class RealmThrottle: Sendable {
    private let calls = NIOLockedValueBox<[Date]>([])
    private let perMinute: Int
    private let perSecond: Int

    init(perMinute: Int, perSecond: Int) {
        self.perMinute = perMinute
        self.perSecond = perSecond
    }

    /// Counts a call; false when it is over either limit (the call is then not counted).
    func admit(now: Date = Date()) -> Bool {
        calls.withLockedValue { calls in
            calls.removeAll { now.timeIntervalSince($0) >= 60 }
            let lastSecond = calls.reversed().prefix { now.timeIntervalSince($0) < 1 }.count
            guard calls.count < perMinute, lastSecond < perSecond else { return false }
            calls.append(now)
            return true
        }
    }
}

/// QBO's concurrency limit per realm (api digest 1.8, the 2016 policy): a request beyond
/// `limit` in flight at once on the company API answers 429.
struct RealmConcurrencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    private let inFlight = NIOLockedValueBox(0)

    init(limit: Int) {
        self.limit = limit
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v3/company/") else { return try await next(request, context) }
        let admitted = inFlight.withLockedValue { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else { return QuickBooksErrors.throttled() }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        return try await next(request, context)
    }
}
