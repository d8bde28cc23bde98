import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// A rotating refresh token must be spent exactly once, however many callers meet the 401.
@Suite struct TokenRefreshTests {
    static let provider = ProviderDescription(
        system: .custom("oauthvendor"), defaultBaseURLs: [:],
        tokenEndpoint: TokenEndpoint(baseURLRole: "auth", path: "/oauth/token"),
        rateLimit: RateLimit(requests: 100_000, per: .seconds(1), burst: 10_000)
    )

    /// Fifty concurrent GETs through the pipeline; returns the failures.
    static func storm(_ pipeline: HTTPPipeline, connection: Connection, url: String, calls: Int = 50) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<calls {
                group.addTask {
                    do {
                        _ = try await pipeline.send(OutboundRequest(method: .GET, url: url), connection: connection, provider: provider)
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
        }
    }

    func connect(_ store: SQLStore, vendor: FakeOAuthVendor) async throws -> Connection {
        let connection = Connection(id: "oauth-1", system: .custom("oauthvendor"), baseURLs: ["api": vendor.server.baseURL, "auth": vendor.server.baseURL])
        try await store.addConnection(connection, credential: Credential(kind: .oauth2, accessToken: "expired-access-token", refreshToken: vendor.currentRefreshToken,
                                                                          clientID: "client-1", clientSecret: "client-secret-1"))
        return connection
    }

    @Test(arguments: TestDatabase.available)
    func fiftyConcurrent401sSpendOneRefreshToken(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            try await FakeOAuthVendor.with(refreshToken: "first-refresh-token") { vendor in
                let connection = try await connect(store, vendor: vendor)
                let pipeline = HTTPPipeline(credentials: store)

                let failures = await Self.storm(pipeline, connection: connection, url: vendor.server.baseURL + "/resource")
                #expect(failures.isEmpty, "\(failures.prefix(3))")
                #expect(vendor.tokenCalls == 1)
                #expect(vendor.spentTokenReuse == 0)
                #expect(vendor.resourceCalls == 50)
                let stored = try await store.credential(for: connection.id)
                #expect(stored.version == 2 && stored.credential.refreshToken == vendor.currentRefreshToken)
                #expect(stored.credential.clientSecret == "client-secret-1")
            }
        }
    }

    @Test("fifty 401s in each of two processes sharing PostgreSQL spend one refresh token",
          .enabled(if: TestDatabase.postgresAvailable, "ML_CONNECTOR_TEST_POSTGRES_URL is not set"))
    func twoProcessesSpendOneRefreshToken() async throws {
        try await TestDatabase.postgres.withTestStore { test in
            let store = test.store
            // A slow token endpoint keeps the first refresh in flight while the other process arrives.
            try await FakeOAuthVendor.with(refreshToken: "first-refresh-token", tokenDelay: .milliseconds(1500)) { vendor in
                let connection = try await connect(store, vendor: vendor)

                let drill = try PackageExecutable.start("mlc-drill", ["refresh-storm", "--connection", connection.id, "--calls", "50"] + test.processArguments,
                                                        environment: ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey])
                let pipeline = HTTPPipeline(credentials: store)
                let failures = await Self.storm(pipeline, connection: connection, url: vendor.server.baseURL + "/resource")
                let result = await drill.finish()
                #expect(result.status == 0, "\(result.stderr)")
                let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
                #expect(report?["ok"] as? Int == 50, "\(result.stdout)")
                #expect(failures.isEmpty, "\(failures.prefix(3))")
                #expect(vendor.tokenCalls == 1)
                #expect(vendor.spentTokenReuse == 0)
                #expect(vendor.resourceCalls == 100)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func aStaleRefreshReturnsTheNewerCredentialWithoutCallingTheVendor(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            try await store.addConnection(Connection(id: "c", system: .board), credential: Credential(kind: .oauth2, accessToken: "a1-token", refreshToken: "r1-token"))
            let renewed = try await store.refresh(connectionID: "c", staleVersion: 1) { old in
                var next = old
                next.accessToken = "a2-token"
                return next
            }
            #expect(renewed.version == 2 && renewed.credential.accessToken == "a2-token")
            let stale = try await store.refresh(connectionID: "c", staleVersion: 1) { _ in
                Issue.record("renew must not run for a stale version")
                throw ConnectorError.permanent("no")
            }
            #expect(stale.version == 2 && stale.credential.accessToken == "a2-token")
            // A renew that fails leaves the stored credential as it was.
            await #expect(throws: ConnectorError.self) {
                try await store.refresh(connectionID: "c", staleVersion: 2) { _ in throw ConnectorError.unauthorized("invalid_grant") }
            }
            #expect(try await store.credential(for: "c").version == 2)
        }
    }
}
