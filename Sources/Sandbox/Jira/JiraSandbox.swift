import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A stateful emulator of Jira Cloud's REST API v3 on loopback, written from Atlassian's
/// OpenAPI document (`swagger-v3.v3.json`) and the api digest part 3, with its own JSON handling.
/// The API answers at the site root (`/rest/api/3/…`, Basic with email and API token) and, for
/// OAuth 2.0 (3LO) tokens, at `/ex/jira/{cloudid}/rest/api/3/…`.
public final class JiraSandbox: Sendable {
    /// How the sandbox behaves.
    public struct Configuration: Sendable {
        /// The OAuth 2.0 (3LO) app it accepts.
        public var clientID = "sandboxJiraClientId0001"
        /// The app's secret; it also signs dynamic-webhook deliveries (a JWT, HS256).
        public var clientSecret = "sandbox-jira-secret-0001"
        /// The redirect URI registered for the app.
        public var redirectURI = "https://localhost/oauth/jira/callback"
        /// The API token of the first user (Basic with the user's email).
        public var apiToken = "ATATT3xFfGF0sandbox0000000000000001"
        /// Access tokens live this long (Atlassian: one hour).
        public var accessTokenLifetime: Duration = .seconds(3600)
        /// The seeded project's key.
        public var projectKey = "MLC"
        /// The issue types seeded, by name.
        public var issueTypes = ["Invoice Created", "Bill Received", "Payment Received", "Payment Failed", "Refund", "Expense", "Task", "Epic"]
        /// The users' time zone: JQL dates are read in it (digest 3.4).
        public var timeZone = "America/Los_Angeles"
        /// How long a write takes to appear in `search/jql` (eventual consistency, digest 3.4).
        public var searchLag: Duration = .zero
        /// Dynamic webhooks live this long unless refreshed (digest 3.7: 30 days).
        public var webhookLifetime: Duration = .seconds(30 * 86400)
        /// Worklogs per page of `worklog/updated` and `worklog/list` (Jira: 1000).
        public var worklogPageSize = 1000
        /// `worklog/updated` leaves out worklogs updated this recently (Jira: the last minute).
        public var worklogQuietPeriod: Duration = .seconds(60)

        /// The defaults.
        public init() {}
    }

    let world: NIOLockedValueBox<JiraWorld>
    let http: HTTPClient
    /// Faults, counters and the rate limit, shared with every sandbox.
    let faultGate = FaultGate(answers: FaultAnswers(
        injected: { status in JiraSandbox.error(status, status == .tooManyRequests ? "Rate limit exceeded." : "Internal server error") },
        rateLimited: { JiraSandbox.error(.tooManyRequests, "Rate limit exceeded.") },
        lostResponse: { JiraSandbox.error(.badGateway, "Bad Gateway") }
    ))
    /// OAuth state: refresh tokens rotate and are single use (digest 3.1).
    let tokens: OAuthTokenStore
    /// Webhook deliveries sent or dropped.
    let deliveryLog = WebhookDeliveryLog()
    /// Request bodies received, for conformance checks.
    let bodyLog = ReceivedBodyLog()

    /// Creates a sandbox with the seeded site, project, issue types, users and custom fields.
    public init(configuration: Configuration = Configuration(), http: HTTPClient = .shared) {
        world = NIOLockedValueBox(JiraWorld(configuration: configuration))
        tokens = OAuthTokenStore(accessLifetime: configuration.accessTokenLifetime, refreshPolicy: .singleUse,
                                 newAccessToken: { OAuthTokenStore.random("eyJraWQiOiJzYW5kYm94.") }, newRefreshToken: { OAuthTokenStore.random("eyJyZWZyZXNo.") })
        self.http = http
    }

    /// The site's cloud id (what `accessible-resources` answers).
    public var cloudID: String { world.withLockedValue { $0.cloudID } }
    /// The seeded project's key.
    public var projectKey: String { world.withLockedValue { $0.projectKey } }
    /// The app and the seeded credentials.
    public var configuration: Configuration { world.withLockedValue { $0.configuration } }
    /// The first user's email (Basic auth user name).
    public var email: String { world.withLockedValue { $0.users[0]["emailAddress"]?.text ?? "" } }
    /// Account ids of the seeded users, by email.
    public var accountIDs: [String: String] {
        world.withLockedValue { world in
            Dictionary(uniqueKeysWithValues: world.users.compactMap { user in user["emailAddress"]?.text.flatMap { email in user["accountId"]?.text.map { (email, $0) } } })
        }
    }

    /// Issues an OAuth access/refresh pair without the browser step.
    public func issueOAuthTokens() -> (accessToken: String, refreshToken: String) {
        let issued = tokens.issuePair()
        return (issued.accessToken, issued.refreshToken ?? "")
    }

    /// Replaces the fault plan.
    public func setFaults(_ faults: FaultPlan) { faultGate.setPlan(faults) }
    /// The fault plan in force.
    public var faults: FaultPlan { faultGate.plan }
    /// Calls received per `METHOD path`.
    public var requestCounts: [String: Int] { faultGate.requestCounts }
    /// Token requests, and how many presented a spent refresh token.
    public var tokenStatistics: (requests: Int, spentReuse: Int) { tokens.statistics }
    /// Revokes every access token: the next call meets a 401 (refresh tokens still work).
    public func revokeAccessTokens() { tokens.revokeAccessTokens() }

    /// Sets how long writes take to reach search.
    public func setSearchLag(_ lag: Duration) { world.withLockedValue { $0.searchLag = lag.seconds } }

    /// Moves the sandbox clock forward (webhook expiry, `worklog/updated`'s quiet minute).
    public func advanceClock(by duration: Duration) { world.withLockedValue { $0.clockOffset += duration.seconds } }

    /// Every route of the emulated API and its admin API.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group().add(middleware: StatusCountingMiddleware<BasicRequestContext>(gate: faultGate))
        addJiraOAuthRoutes(to: api)
        for prefix in Self.prefixes {
            addPlatformRoutes(to: api, prefix: prefix)
            addIssueRoutes(to: api, prefix: prefix)
            addSearchRoutes(to: api, prefix: prefix)
            addWorklogRoutes(to: api, prefix: prefix)
            addWebhookRoutes(to: api, prefix: prefix)
        }
        addAdminWebhookRoutes(to: api)
        SandboxAdminAPI(gate: faultGate, tokens: tokens, deliveries: deliveryLog).addRoutes(to: router)
        addJiraAdminRoutes(to: router)
    }

    /// The API at the site root, its v2 twin (plain-text rich fields, for clients that default
    /// to it), and through the OAuth gateway by cloud id (digest 3.1).
    static let prefixes = ["/rest/api/3", "/rest/api/2", "/ex/jira/:cloudid/rest/api/3"]

    /// Starts a Jira sandbox on its own loopback server.
    public static func serve(configuration: Configuration = Configuration(), port: Int = 0) async throws -> (sandbox: JiraSandbox, server: SandboxServer) {
        let sandbox = JiraSandbox(configuration: configuration)
        return (sandbox, try await SandboxServer.start(port: port, label: "jira-sandbox", routes: { sandbox.addRoutes(to: $0) }))
    }

    /// Request bodies received so far, by `METHOD path`.
    public func receivedBodies() -> [(String, JSONValue)] {
        bodyLog.all
    }
}

extension JiraSandbox {
    /// What `ml-connector sandbox --json` prints for Jira.
    public func describe(server: SandboxServer) -> [String: Any] {
        let tokens = issueOAuthTokens()
        let configuration = configuration
        return [
            "baseURL": server.baseURL, "adminURL": server.baseURL + "/_sandbox",
            "authURL": server.baseURL, "gatewayURL": server.baseURL,
            "credentials": ["email": email, "apiToken": configuration.apiToken, "clientId": configuration.clientID, "clientSecret": configuration.clientSecret,
                            "redirectURI": configuration.redirectURI, "accessToken": tokens.accessToken, "refreshToken": tokens.refreshToken],
            "ids": ["cloudId": cloudID, "projectKey": projectKey, "issueTypes": configuration.issueTypes] as [String: Any],
        ]
    }
}
