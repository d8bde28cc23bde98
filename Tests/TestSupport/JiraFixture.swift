import ConnectorKit
import Foundation
import Jira
import Sandbox
import Store

/// A Jira sandbox on loopback and a connected client (Basic with email and API token, or OAuth
/// through the gateway by cloud id), over a real store.
public struct JiraFixture: Sendable {
    public let sandbox: JiraSandbox
    public let server: SandboxServer
    public let store: SQLStore
    public let pipeline: HTTPPipeline
    public let connection: Connection

    public var client: JiraClient { JiraClient(pipeline: pipeline, connection: connection) }

    /// Starts the sandbox and connects as `connection add jira` would: with OAuth the site is
    /// chosen from `accessible-resources`, which points the connection's `api` at the gateway.
    public static func start(oauth: Bool = false, configuration: JiraSandbox.Configuration = .init()) async throws -> JiraFixture {
        let (sandbox, server) = try await JiraSandbox.serve(configuration: configuration)
        let store = try await TestDatabase.sqlite.makeStore().store
        let connection = try await addConnection(id: "jira-test", sandbox: sandbox, server: server, oauth: oauth, to: store)
        return JiraFixture(sandbox: sandbox, server: server, store: store, pipeline: HTTPPipeline(credentials: store), connection: connection)
    }

    public func stop() async {
        await server.stop()
        await store.close()
    }

    /// Adds a connection to `sandbox` to `store`, as `connection add jira` would: Basic with the
    /// email and API token, or OAuth, where the site is chosen from `accessible-resources`,
    /// which points the connection's `api` at the gateway.
    public static func addConnection(id: String, sandbox: JiraSandbox, server: SandboxServer, oauth: Bool = false, to store: SQLStore) async throws -> Connection {
        let app = sandbox.configuration
        let credential: Credential
        var connection = Connection(id: id, system: .jira, baseURLs: ["auth": server.baseURL, "gateway": server.baseURL],
                                    settings: ["rate_limit": "2000/1s", "auth": oauth ? "oauth" : "token", SettingKey.jiraProject.rawValue: sandbox.projectKey])
        if oauth {
            let tokens = sandbox.issueOAuthTokens()
            credential = Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, clientID: app.clientID, clientSecret: app.clientSecret)
        } else {
            connection.baseURLs["api"] = server.baseURL
            credential = Credential(kind: .basic, username: sandbox.email, password: app.apiToken)
        }
        let identity = try await JiraConnector().identify(pipeline: HTTPPipeline(credentials: StaticCredentialSource(credential)), connection: connection)
        connection.adopt(try identity.choose(nil, noun: "site"))
        try await store.addConnection(connection, credential: credential)
        return connection
    }

    /// Starts a fixture for `body` and stops it before returning, also when `body` throws.
    public static func with<Value>(
        oauth: Bool = false, configuration: JiraSandbox.Configuration = .init(),
        isolation: isolated (any Actor)? = #isolation, _ body: (JiraFixture) async throws -> Value
    ) async throws -> Value {
        try await withStarted({ try await start(oauth: oauth, configuration: configuration) }, stop: { await $0.stop() }, body)
    }
}
