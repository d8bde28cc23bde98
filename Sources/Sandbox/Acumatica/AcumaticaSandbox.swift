import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import NIOConcurrencyHelpers

/// A stateful emulator of one Acumatica ERP instance's contract-based REST API on loopback,
/// written from the `Default/24.200.001` contract and the api digest part 2, with its own JSON
/// handling: cookie sign-in with an API-user seat limit, OAuth 2.0, wrapped records, PUT upserts,
/// query options, actions answered 202 with a `Location`, and push notifications.
public final class AcumaticaSandbox: Sendable {
    /// How the instance behaves.
    public struct Configuration: Sendable {
        /// The tenant's login name.
        public var tenant = "SandboxCo"
        /// The branch an API user signs in to.
        public var branch = "HEADOFFICE"
        /// The API user.
        public var username = "admin"
        /// Its password.
        public var password = "sandbox-acumatica-password"
        /// The endpoint version the instance runs (`24.200.001`, or `23.200.001`).
        public var endpointVersion = "24.200.001"
        /// Concurrent API users the licence allows (a trial: two, api digest 2.9).
        public var apiUserLimit = 2
        /// A connected application's GUID; its client id is `GUID@Tenant` (digest 2.1 B).
        public var clientGUID = "88358B02-A48D-A50E-F710-39C1636C30F6"
        /// The connected application's shared secret.
        public var clientSecret = "sandbox-acumatica-client-secret"
        /// The redirect URI registered for it.
        public var redirectURI = "https://localhost/oauth/acumatica/callback"
        /// Access tokens live an hour (digest 2.1 B).
        public var accessTokenLifetime: Duration = .seconds(3600)
        /// How many polls of an action's `Location` answer 202 before the 204.
        public var actionPolls = 2
        /// Where push notifications go (set on SM302000 in a real instance).
        public var pushURL: String?
        /// The push destination's header name.
        public var pushHeaderName = "X-ML-Connector-Push-Secret"
        /// The push destination's header value: the shared secret.
        public var pushSecret = "sandbox-acumatica-push-secret"

        /// The OAuth client id, `GUID@Tenant`.
        public var clientID: String { "\(clientGUID)@\(tenant)" }

        /// The defaults.
        public init() {}
    }

    let world: NIOLockedValueBox<AcumaticaWorld>
    let http: HTTPClient
    /// Faults, counters and the rate limit, shared with every sandbox.
    let faultGate = FaultGate(answers: FaultAnswers(
        injected: { status in AcumaticaSandbox.httpError(status, status == .tooManyRequests ? AcumaticaSandbox.requestLimitMessage : "An error has occurred.") },
        rateLimited: { AcumaticaSandbox.httpError(.tooManyRequests, AcumaticaSandbox.requestLimitMessage) },
        lostResponse: { AcumaticaSandbox.httpError(.badGateway, "Bad Gateway") }
    ))
    /// OAuth state (❓ refresh rotation is not documented; IdentityServer's default is one-time use).
    let tokens: OAuthTokenStore
    /// Push notifications sent or dropped.
    let deliveryLog = WebhookDeliveryLog()
    /// Request bodies received, for conformance checks.
    let bodyLog = ReceivedBodyLog()

    /// Creates an instance seeded with vendors, employees, three bills and a purchase order.
    public init(configuration: Configuration = Configuration(), http: HTTPClient = .shared) {
        var world = AcumaticaWorld(configuration: configuration)
        world.seed()
        self.world = NIOLockedValueBox(world)
        self.http = http
        tokens = OAuthTokenStore(accessLifetime: configuration.accessTokenLifetime, refreshPolicy: .singleUse,
                                 newAccessToken: { OAuthTokenStore.random("acu_at_") }, newRefreshToken: { OAuthTokenStore.random("acu_rt_") })
    }

    /// The configuration in force.
    public var configuration: Configuration { world.withLockedValue { $0.configuration } }
    /// Replaces the fault plan.
    public func setFaults(_ faults: FaultPlan) { faultGate.setPlan(faults) }
    /// Calls received per `METHOD path`.
    public var requestCounts: [String: Int] { faultGate.requestCounts }
    /// Cookie sessions open now.
    public var openSessions: Int { world.withLockedValue { $0.sessions.count } }
    /// Sign-ins refused for the API-user limit.
    public var refusedLogins: Int { world.withLockedValue { $0.refusedLogins } }
    /// Sign-outs received.
    public var logouts: Int { world.withLockedValue { $0.logouts } }
    /// Push notifications sent or dropped.
    public var pushDeliveries: Int { deliveryLog.all.count }
    /// The receiver's answer to each push attempt (nil: dropped or unanswered), oldest first.
    public var pushStatuses: [Int?] { deliveryLog.all.map(\.status) }

    /// Ends every cookie session, as an idle timeout does: the next call meets a 401.
    public func expireSessions() {
        world.withLockedValue { $0.sessions.removeAll() }
    }

    /// Sets where push notifications go, as an administrator does on SM302000.
    public func configurePush(url: String, headerName: String? = nil, headerValue: String? = nil) {
        world.withLockedValue { world in
            world.push = .init(url: url, headerName: headerName ?? world.configuration.pushHeaderName, headerValue: headerValue ?? world.configuration.pushSecret)
        }
    }

    /// Deletes a record as a user does on its screen (a bill on AP301000): it is gone from every
    /// read, and the push sends its last row in `Deleted` only. False when there is no such record.
    @discardableResult
    public func deleteRecord(_ entity: String, keys: [String]) -> Bool {
        guard let entity = AcumaticaWorld.Entity(rawValue: entity) else { return false }
        let removed: JSONValue? = world.withLockedValue { world in
            guard let index = world.index(of: entity, keys: keys) else { return nil }
            return world.records[entity]?.remove(at: index)
        }
        guard let removed else { return false }
        notifyPush(entity, before: removed, after: nil)
        return true
    }

    /// Records of an entity (`Bill`…) as stored, for tests.
    public func records(_ entity: String) -> [JSONValue] {
        guard let entity = AcumaticaWorld.Entity(rawValue: entity) else { return [] }
        return world.withLockedValue { $0.records[entity] ?? [] }
    }

    /// Request bodies received so far, by `METHOD path`.
    public func receivedBodies() -> [(String, JSONValue)] {
        bodyLog.all
    }

    /// Every route of the emulated instance and its admin API.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group().add(middleware: StatusCountingMiddleware<BasicRequestContext>(gate: faultGate))
        addAuthRoutes(to: api)
        addOAuthRoutes(to: api)
        addEntityRoutes(to: api)
        SandboxAdminAPI(gate: faultGate, tokens: tokens, deliveries: deliveryLog).addRoutes(to: router)
        addAcumaticaAdminRoutes(to: router)
    }

    /// Starts an instance on its own loopback server.
    public static func serve(configuration: Configuration = Configuration(), port: Int = 0) async throws -> (sandbox: AcumaticaSandbox, server: SandboxServer) {
        let sandbox = AcumaticaSandbox(configuration: configuration)
        let router = Router()
        sandbox.addRoutes(to: router)
        return (sandbox, try await SandboxServer.start(router, port: port, label: "acumatica-sandbox"))
    }

    /// Applies the fault plan, then checks the session cookie or bearer token.
    func gate(_ request: Request) async -> Response? {
        await faultGate.admit(request) { isSignedIn(request) ? nil : Self.httpError(.unauthorized, "You are not logged in.") }
    }

    /// True when the request carries a live session cookie or a live OAuth access token.
    func isSignedIn(_ request: Request) -> Bool {
        if tokens.accepts(request) { return true }
        guard let session = Self.sessionID(request) else { return false }
        return world.withLockedValue { world in
            guard world.sessions[session] != nil else { return false }
            world.sessions[session] = Date()
            return true
        }
    }

    /// The `ASP.NET_SessionId` cookie's value.
    static func sessionID(_ request: Request) -> String? {
        guard let header = request.headers[.cookie] else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == "ASP.NET_SessionId" { return String(pair[1]) }
        }
        return nil
    }

    /// What `ml-connector sandbox --json` prints for Acumatica.
    public func describe(server: SandboxServer) -> [String: Any] {
        let configuration = configuration
        return [
            "baseURL": server.baseURL, "adminURL": server.baseURL + "/_sandbox",
            "credentials": ["username": configuration.username, "password": configuration.password, "tenant": configuration.tenant, "branch": configuration.branch,
                            "clientId": configuration.clientID, "clientSecret": configuration.clientSecret, "pushSecret": configuration.pushSecret],
            "ids": ["endpoint": "Default", "version": configuration.endpointVersion],
        ]
    }
}
