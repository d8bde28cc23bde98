import ConnectorKit
import Foundation
import QuickBooks
import Sandbox
import Store
import TestSupport

/// A QuickBooks sandbox on loopback and a client connected to its realm over a real store,
/// torn down before the test returns.
struct QuickBooksFixture: Sendable {
    let sandbox: QuickBooksSandbox
    let server: SandboxServer
    let store: SQLStore
    let pipeline: HTTPPipeline
    let connection: Connection

    func client(pageSize: Int = 1000) -> QuickBooksClient {
        QuickBooksClient(pipeline: pipeline, connection: connection, pageSize: pageSize)
    }

    /// Runs `body` against a fresh sandbox and store.
    static func with<Result: Sendable>(_ configuration: QuickBooksSandbox.Configuration = .init(), rateLimit: String? = nil,
                                       _ body: (QuickBooksFixture) async throws -> Result) async throws -> Result {
        let (sandbox, server) = try await QuickBooksSandbox.serve(configuration: configuration)
        let store = try await TestDatabase.sqlite.makeStore().store
        var connection = Connection(id: "qbo-test", system: .quickbooks, baseURLs: ["api": server.baseURL, "auth": server.baseURL, "token": server.baseURL],
                                    accountRef: sandbox.realmID)
        connection[setting: .rateLimit] = rateLimit
        let tokens = sandbox.issueTokens()
        try await store.addConnection(connection, credential: Credential(kind: .oauth2, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken,
                                                                          clientID: configuration.clientID, clientSecret: configuration.clientSecret))
        let fixture = QuickBooksFixture(sandbox: sandbox, server: server, store: store, pipeline: HTTPPipeline(credentials: store), connection: connection)
        do {
            let result = try await body(fixture)
            await fixture.stop()
            return result
        } catch {
            await fixture.stop()
            throw error
        }
    }

    func stop() async {
        await server.stop()
        await store.close()
    }

    /// A vendor made through the client, for bills to reference.
    func makeVendor(_ name: String = "Test Vendor") async throws -> Vendor {
        try await client().createVendor(NameDraft(displayName: name, email: "ap@\(name.lowercased().replacingOccurrences(of: " ", with: "-")).test"), requestID: "vendor-\(name)")
    }

    /// The Id of the seeded expense account named `name`.
    func account(_ name: String) async throws -> String {
        guard let account = try await client().accounts(type: "Expense").collect().first(where: { $0.Name == name }) else {
            throw ConnectorError.notFound("seeded account \(name)")
        }
        return account.Id
    }
}
