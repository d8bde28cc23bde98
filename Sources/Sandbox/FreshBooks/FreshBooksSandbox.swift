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

        /// The defaults.
        public init() {}
    }

    let world: NIOLockedValueBox<FreshBooksWorld>
    let http: HTTPClient

    /// Creates a sandbox with the demo user and businesses and no records.
    public init(configuration: Configuration = Configuration(), http: HTTPClient = .shared) {
        world = NIOLockedValueBox(FreshBooksWorld(configuration: configuration))
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
        let pair = world.withLockedValue { $0.issueTokens(now: Date()) }
        return (pair.access, pair.refresh)
    }

    /// Replaces the fault plan.
    public func setFaults(_ faults: FaultPlan) {
        world.withLockedValue { $0.faults = faults }
    }

    /// The fault plan in force.
    public var faults: FaultPlan { world.withLockedValue { $0.faults } }

    /// Revokes every access token (the next call meets a 401).
    public func revokeAccessTokens() {
        world.withLockedValue { world in
            for key in world.accessTokens.keys { world.accessTokens[key]?.revoked = true }
        }
    }

    /// How many token requests arrived, and how many presented a spent refresh token.
    public var tokenStatistics: (requests: Int, spentReuse: Int) {
        world.withLockedValue { ($0.tokenRequests, $0.spentTokenReuse) }
    }

    /// How many calls each `METHOD /path` received.
    public var requestCounts: [String: Int] { world.withLockedValue { $0.requestCounts } }

    /// Total API calls received.
    public var totalRequests: Int { world.withLockedValue { $0.requestCounts.values.reduce(0, +) } }

    /// Webhook deliveries sent or dropped so far.
    var deliveries: [FreshBooksWorld.Delivery] { world.withLockedValue { $0.deliveries } }

    /// Every route of the emulated API and its admin API.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        addOAuthRoutes(to: router)
        addIdentityRoutes(to: router)
        addAccountingRoutes(to: router)
        addInvoiceRoutes(to: router)
        addProjectRoutes(to: router)
        addCallbackRoutes(to: router)
        addAdminRoutes(to: router)
    }
}
