import ConnectorKit
import FreshBooks
import Foundation
import Sandbox
import Store

/// A FreshBooks sandbox on loopback and a connected client for it, over a real store.
public struct FreshBooksFixture: Sendable {
    public let sandbox: FreshBooksSandbox
    public let server: SandboxServer
    public let store: SQLStore
    public let pipeline: HTTPPipeline
    public let connection: Connection

    public var client: FreshBooksClient { FreshBooksClient(pipeline: pipeline, connection: connection) }

    /// Starts the sandbox and connects to it with a fresh OAuth pair; prefer `with`, which stops it.
    public static func start(rateLimit: String? = "2000/1s", configuration: FreshBooksSandbox.Configuration = .init(), database: TestDatabase = .sqlite) async throws -> FreshBooksFixture {
        let (sandbox, server) = try await FreshBooksSandbox.serve(configuration: configuration)
        let store = try await database.makeStore().store
        let connection = try await sandbox.addOAuthConnection(id: "fb-test", server: server, rateLimit: rateLimit, to: store)
        return FreshBooksFixture(sandbox: sandbox, server: server, store: store, pipeline: HTTPPipeline(credentials: store), connection: connection)
    }

    public func stop() async {
        await server.stop()
        await store.close()
    }

    /// Starts a fixture for `body` and stops it before returning, also when `body` throws.
    public static func with<Value>(
        rateLimit: String? = "2000/1s", configuration: FreshBooksSandbox.Configuration = .init(), database: TestDatabase = .sqlite,
        isolation: isolated (any Actor)? = #isolation, _ body: (FreshBooksFixture) async throws -> Value
    ) async throws -> Value {
        try await withStarted({ try await start(rateLimit: rateLimit, configuration: configuration, database: database) }, stop: { await $0.stop() }, body)
    }

    /// The webhook deliveries the sandbox sent or dropped (`sandboxDeliveries`).
    public func deliveries() async throws -> [JSONValue] {
        try await sandboxDeliveries(of: server, through: pipeline, connection: connection, provider: FreshBooksProvider.description)
    }

    /// A client with an invoice-ready customer.
    public func makeClient(email: String = "ops@client.test") async throws -> Client {
        try await client.createClient(ClientDraft(firstName: "Dana", lastName: "Client", organization: "Client Co", email: email))
    }
}

extension FreshBooksSandbox {
    /// Adds an OAuth connection to this sandbox's business, with a fresh token pair, to `store`.
    public func addOAuthConnection(id: String, server: SandboxServer, rateLimit: String? = "2000/1s", to store: SQLStore) async throws -> Connection {
        let tokens = issueTokens()
        var settings = ["account_id": accountID, "business_id": "\(businessID)"]
        settings["rate_limit"] = rateLimit
        let connection = Connection(id: id, system: .freshbooks, baseURLs: ["api": server.baseURL, "auth": server.baseURL], accountRef: accountID, settings: settings)
        let app = configuration
        try await store.addConnection(connection, credential: Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
                                                                          clientID: app.clientID, clientSecret: app.clientSecret, extra: ["redirect_uri": app.redirectURI]))
        return connection
    }
}
