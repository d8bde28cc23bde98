import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A stateful emulator of the Asana API (`/api/1.0`) on loopback, written from Asana's OpenAPI
/// document and the api digest part B, with its own JSON handling.
public final class AsanaSandbox: Sendable {
    /// How the sandbox behaves.
    public struct Configuration: Sendable {
        /// The OAuth app it accepts.
        public var clientID = "1200000000009999"
        /// The app's secret.
        public var clientSecret = "sandbox-asana-secret-0001"
        /// The redirect URI registered for the app.
        public var redirectURI = "https://localhost/oauth/asana/callback"
        /// OAuth access tokens live this long (Asana: one hour).
        public var accessTokenLifetime: Duration = .seconds(3600)
        /// A webhook failing to deliver for this long is deleted without notice (Asana: 24 h).
        public var webhookFailureSpan: Duration = .seconds(24 * 3600)

        /// The defaults.
        public init() {}
    }

    let world: NIOLockedValueBox<AsanaWorld>
    let http: HTTPClient
    /// Faults, counters and the rate limit, shared with every sandbox.
    let faultGate = FaultGate(answers: FaultAnswers(
        injected: { status in AsanaSandbox.error(status, status == .tooManyRequests ? AsanaSandbox.rateLimitMessage : "Server Error") },
        rateLimited: { AsanaSandbox.error(.tooManyRequests, AsanaSandbox.rateLimitMessage) },
        lostResponse: { AsanaSandbox.error(.badGateway, "Bad Gateway") }
    ))
    /// OAuth state and the personal access token: refresh tokens stay valid (digest B2).
    let tokens: OAuthTokenStore
    /// Webhook deliveries sent or dropped.
    let deliveryLog = WebhookDeliveryLog()
    /// Request bodies received, for conformance checks.
    let bodyLog = ReceivedBodyLog()
    /// The API's path prefix.
    public static let prefix = "/api/1.0"

    /// Creates a sandbox with the demo workspace, team and people.
    public init(configuration: Configuration = Configuration(), http: HTTPClient = .shared) {
        let world = AsanaWorld(configuration: configuration)
        let tokens = OAuthTokenStore(accessLifetime: configuration.accessTokenLifetime, refreshPolicy: .reusable,
                                     newAccessToken: { "1/oauth/" + UUID().uuidString.lowercased() }, newRefreshToken: { "1/refresh/" + UUID().uuidString.lowercased() })
        tokens.addPersonalToken(world.personalAccessToken)
        self.tokens = tokens
        self.world = NIOLockedValueBox(world)
        self.http = http
    }

    /// The demo workspace.
    public var workspaceGID: String { world.withLockedValue { $0.workspaceGID } }
    /// The demo team.
    public var teamGID: String { world.withLockedValue { $0.teamGID } }
    /// A personal access token of the demo user.
    public var personalAccessToken: String { world.withLockedValue { $0.personalAccessToken } }
    /// The OAuth app.
    public var configuration: Configuration { world.withLockedValue { $0.configuration } }

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
    /// Webhooks that exist now, by gid.
    public var webhookGIDs: [String] { world.withLockedValue { Array($0.webhooks.keys).sorted() } }

    /// Revokes every token (PAT included): the next call meets a 401.
    public func revokeTokens() {
        tokens.revokeAccessTokens()
    }

    /// Deletes a webhook without notice, as Asana does after a day of failures.
    public func deleteWebhook(_ gid: String) {
        _ = world.withLockedValue { $0.webhooks.removeValue(forKey: gid) }
    }

    /// Every route of the emulated API and its admin API.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group().add(middleware: StatusCountingMiddleware<BasicRequestContext>(gate: faultGate))
        addAsanaOAuthRoutes(to: api)
        addWorkspaceRoutes(to: api)
        addProjectRoutes(to: api)
        addCustomFieldRoutes(to: api)
        addTaskRoutes(to: api)
        addWebhookRoutes(to: api)
        addEventRoutes(to: api)
        SandboxAdminAPI(gate: faultGate, tokens: tokens, deliveries: deliveryLog).addRoutes(to: router)
        addAsanaAdminRoutes(to: router)
    }

    /// Starts an Asana sandbox on its own loopback server.
    public static func serve(configuration: Configuration = Configuration(), port: Int = 0) async throws -> (sandbox: AsanaSandbox, server: SandboxServer) {
        let sandbox = AsanaSandbox(configuration: configuration)
        return (sandbox, try await SandboxServer.start(port: port, label: "asana-sandbox", routes: { sandbox.addRoutes(to: $0) }))
    }

    /// Request bodies received so far, by `METHOD path`.
    public func receivedBodies() -> [(String, JSONValue)] {
        bodyLog.all
    }

    /// Applies the fault plan, then checks the bearer token; the response to send instead, or nil.
    func gate(_ request: Request) async -> Response? {
        await faultGate.admit(request) { tokens.accepts(request) ? nil : Self.error(.unauthorized, "Not Authorized") }
    }

    /// True when the request's token is an OAuth token (only those may read and write `external`).
    func isOAuth(_ request: Request) -> Bool {
        tokens.isOAuth(request)
    }
}

extension AsanaSandbox {
    /// Creates a custom field definition (demo and tests); returns its gid and option gids by name.
    @discardableResult
    public func createCustomField(name: String, subtype: String, precision: Int? = nil, options: [String] = []) -> (gid: String, options: [String: String]) {
        world.withLockedValue { world in
            var input: [String: JSONValue] = ["enum_options": .array(options.map { .object(["name": .string($0)]) })]
            if let precision { input["precision"] = .int(precision) } else if subtype == "number" { input["precision"] = .int(2) }
            let field = world.addCustomField(name: name, subtype: subtype, input: input)
            let optionGIDs = (field["enum_options"]?.array ?? []).reduce(into: [String: String]()) { byName, option in
                if let name = option["name"]?.text, let gid = option["gid"]?.text { byName[name] = gid }
            }
            return (field["gid"]?.text ?? "", optionGIDs)
        }
    }

    /// Attaches a custom field to a project (demo and tests).
    public func attach(field: String, to project: String) {
        world.withLockedValue { world in
            if !world.projectFieldSettings[project, default: []].contains(field) { world.projectFieldSettings[project, default: []].append(field) }
        }
    }

    /// Renames a custom field, as a user might in Asana's UI.
    public func renameCustomField(_ gid: String, to name: String) {
        world.withLockedValue { world in world.customFields[gid]?["name"] = .string(name) }
    }
}

extension AsanaSandbox {
    /// Creates a project in the demo team (seeding for the demo and `ml-connector sandbox`).
    @discardableResult
    public func seedProject(name: String) -> String {
        world.withLockedValue { world in world.addProject(name: name, team: world.teamGID)["gid"]?.text ?? "" }
    }

    /// What `ml-connector sandbox --json` prints for Asana.
    public func describe(server: SandboxServer, projectGID: String) -> [String: Any] {
        let tokens = issueOAuthTokens()
        let configuration = configuration
        return [
            "baseURL": server.baseURL + Self.prefix, "authURL": server.baseURL, "adminURL": server.baseURL + "/_sandbox",
            "credentials": ["personalAccessToken": personalAccessToken, "clientId": configuration.clientID, "clientSecret": configuration.clientSecret,
                            "redirectURI": configuration.redirectURI, "accessToken": tokens.accessToken, "refreshToken": tokens.refreshToken],
            "ids": ["workspaceGid": workspaceGID, "teamGid": teamGID, "projectGid": projectGID],
        ]
    }
}
