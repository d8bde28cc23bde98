import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A stateful emulator of the FreshBooks API on loopback, written from FreshBooks' published
/// behaviour (api digest part A, the SDK fixtures) with its own JSON handling.
public final class FreshBooksSandbox: Sendable {
    /// How the sandbox behaves.
    public struct Configuration: Sendable {
        /// The OAuth app it accepts.
        public var clientID = "sandbox-freshbooks-client"
        /// The app's secret.
        public var clientSecret = "sandbox-freshbooks-secret-0001"
        /// The redirect URI registered for the app.
        public var redirectURI = "https://localhost/oauth/freshbooks/callback"
        /// Access tokens live this long (FreshBooks: 12 hours).
        public var accessTokenLifetime: Duration = .seconds(12 * 3600)
        /// The demo user's own business (its records live here): one sandbox per tenant gives
        /// each its own `account_id` and `business_id`.
        public var business = Business(id: 439000, accountID: "SBX123", name: "Sandbox Agency")

        /// The defaults.
        public init() {}
    }

    /// A business's tenant keys (api digest A3): `id` for projects and time, `accountID` for accounting.
    public struct Business: Sendable {
        public var id: Int
        public var accountID: String
        public var name: String

        /// Names a business.
        public init(id: Int, accountID: String, name: String) {
            self.id = id
            self.accountID = accountID
            self.name = name
        }
    }

    let world: NIOLockedValueBox<FreshBooksWorld>
    let http: HTTPClient
    /// Faults, counters and the rate limit, shared with every sandbox.
    let faultGate = FaultGate(answers: FaultAnswers(
        injected: { status in SandboxHTTP.json(status, .object(["errno": .int(Int(status.code)), "message": .string("injected fault")])) },
        rateLimited: { SandboxHTTP.json(.tooManyRequests, .object(["errno": .int(429), "message": .string("Too many requests")])) },
        lostResponse: { SandboxHTTP.json(.badGateway, .object(["message": .string("upstream connection lost")])) }
    ))
    /// OAuth state: refresh tokens are single use and rotate (api digest A2).
    let tokens: OAuthTokenStore
    /// Webhook deliveries sent or dropped.
    let deliveryLog = WebhookDeliveryLog()

    /// Creates a sandbox with the demo user and businesses and no records.
    public init(configuration: Configuration = Configuration(), http: HTTPClient = .shared) {
        world = NIOLockedValueBox(FreshBooksWorld(configuration: configuration))
        tokens = OAuthTokenStore(accessLifetime: configuration.accessTokenLifetime, refreshPolicy: .singleUse,
                                 newAccessToken: { OAuthTokenStore.random("fbat_") }, newRefreshToken: { OAuthTokenStore.random("fbrt_") })
        self.http = http
    }

    /// The account id of the demo business (accounting paths).
    public var accountID: String { world.withLockedValue { $0.primary.accountID } }
    /// The business id of the demo business (projects and time paths).
    public var businessID: Int { world.withLockedValue { $0.primary.id } }
    /// The app configuration.
    public var configuration: Configuration { world.withLockedValue { $0.configuration } }

    /// Issues a token pair without the browser step (the demo and tests start connected).
    public func issueTokens() -> (accessToken: String, refreshToken: String) {
        let issued = tokens.issuePair()
        return (issued.accessToken, issued.refreshToken ?? "")
    }

    /// Replaces the fault plan.
    public func setFaults(_ faults: FaultPlan) {
        faultGate.setPlan(faults)
    }

    /// The fault plan in force.
    public var faults: FaultPlan { faultGate.plan }

    /// Revokes every access token (the next call meets a 401).
    public func revokeAccessTokens() {
        tokens.revokeAccessTokens()
    }

    /// How many token requests arrived, and how many presented a spent refresh token.
    public var tokenStatistics: (requests: Int, spentReuse: Int) { tokens.statistics }

    /// How many calls each `METHOD /path` received.
    public var requestCounts: [String: Int] { faultGate.requestCounts }

    /// Total API calls received.
    public var totalRequests: Int { requestCounts.values.reduce(0, +) }

    /// Every route of the emulated API and its admin API.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group().add(middleware: StatusCountingMiddleware<BasicRequestContext>(gate: faultGate))
        addOAuthRoutes(to: api)
        addIdentityRoutes(to: api)
        addAccountingRoutes(to: api)
        addInvoiceRoutes(to: api)
        addProjectRoutes(to: api)
        addBillRoutes(to: api)
        addTimeEntryEditRoutes(to: api)
        addStaffRoutes(to: api)
        addCallbackRoutes(to: api)
        SandboxAdminAPI(gate: faultGate, tokens: tokens, deliveries: deliveryLog).addRoutes(to: router)
        addAdminRoutes(to: router)
    }

    /// Applies the fault plan, then checks the bearer token and the tenant in the path; returns
    /// the response to send instead of the route's own, or nil to proceed.
    func gate(_ request: Request, family: FreshBooksErrors.Family, account: String? = nil, business: String? = nil) async -> Response? {
        await faultGate.admit(request) {
            guard tokens.accepts(request) else { return FreshBooksErrors.unauthorized(family) }
            let businesses = world.withLockedValue { $0.businesses }
            if let account, !businesses.contains(where: { $0.accountID == account }) {
                return FreshBooksErrors.notFound(family, object: "account", field: "accountid", value: account)
            }
            if let business, !businesses.contains(where: { "\($0.id)" == business }) {
                return FreshBooksErrors.notFound(family, object: "business", field: "business_id", value: business)
            }
            return nil
        }
    }

    /// The response a create sends: its own, or a 502 when the fault plan loses it.
    func createResponse(_ response: Response) -> Response {
        faultGate.createResponse(response)
    }
}

extension FreshBooksSandbox {
    /// What `ml-connector sandbox --json` prints for FreshBooks: URLs, app credentials, a fresh
    /// token pair and the tenant ids.
    public func describe(server: SandboxServer) -> [String: Any] {
        let tokens = issueTokens()
        let configuration = configuration
        return [
            "baseURL": server.baseURL, "authURL": server.baseURL, "adminURL": server.baseURL + "/_sandbox",
            "credentials": ["clientId": configuration.clientID, "clientSecret": configuration.clientSecret, "redirectURI": configuration.redirectURI,
                            "accessToken": tokens.accessToken, "refreshToken": tokens.refreshToken],
            "ids": ["accountId": accountID, "businessId": businessID],
        ]
    }

    /// Starts a FreshBooks sandbox on its own loopback server.
    public static func serve(configuration: Configuration = Configuration(), port: Int = 0) async throws -> (sandbox: FreshBooksSandbox, server: SandboxServer) {
        let sandbox = FreshBooksSandbox(configuration: configuration)
        return (sandbox, try await SandboxServer.start(port: port, label: "freshbooks-sandbox", routes: { sandbox.addRoutes(to: $0) }))
    }
}
