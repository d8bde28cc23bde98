import Acumatica
import AsyncHTTPClient
import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

@Suite struct AcumaticaAuthTests {
    @Test func cookieSessionsSignOutAndTheSeatLimitIsAClearError() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        // Two clients that never sign out hold both seats of a trial licence.
        let first = fixture.client
        let second = fixture.client
        _ = try await first.vendors().collect()
        _ = try await second.employees().collect()
        #expect(fixture.sandbox.openSessions == 2)

        let refused = await #expect(throws: ConnectorError.self) { try await fixture.client.bills().collect() }
        #expect(refused?.description.contains("API Login Limit") == true && refused?.description.contains("API-user limit") == true)
        #expect(fixture.sandbox.refusedLogins == 1)

        // Signing out frees a seat; `withSession` always signs out, even when the work throws.
        await first.signOut()
        let bills = try await AcumaticaClient.withSession(pipeline: fixture.pipeline, connection: fixture.connection) { try await $0.bills().collect() }
        #expect(bills.count == 3)
        _ = try? await AcumaticaClient.withSession(pipeline: fixture.pipeline, connection: fixture.connection) { try await $0.bill(referenceNbr: "999999") }
        #expect(fixture.sandbox.openSessions == 1 && fixture.sandbox.logouts == 3)
        await second.signOut()
        #expect(fixture.sandbox.openSessions == 0)
    }

    @Test func anExpiredSessionSignsInAgainOnce() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        _ = try await client.vendors().collect()
        fixture.sandbox.expireSessions()
        #expect(try await client.vendors().collect().count == 3)
        #expect(fixture.sandbox.requestCounts["POST /entity/auth/login"] == 2)
        await client.signOut()
    }

    @Test func wrongPasswordIsRefusedByName() async throws {
        var configuration = AcumaticaSandbox.Configuration()
        configuration.password = "something-else"
        let fixture = try await AcumaticaFixture.start(configuration: .init())
        defer { Task { await fixture.stop() } }
        let (other, server) = try await AcumaticaSandbox.serve(configuration: configuration)
        defer { Task { await server.stop() } }
        var connection = fixture.connection
        connection.baseURLs["api"] = server.baseURL
        let error = await #expect(throws: ConnectorError.self) { try await AcumaticaClient(pipeline: fixture.pipeline, connection: connection).vendors().collect() }
        #expect(error?.kind == "unauthorized" && error?.description.contains("admin") == true && other.openSessions == 0)
    }

    @Test func oauthClientCredentialsGetsATokenAndRenewsItAfterRevocation() async throws {
        let fixture = try await AcumaticaFixture.start(.clientCredentials)
        defer { Task { await fixture.stop() } }
        #expect(try await fixture.client.vendors().collect().count == 3)
        var request = HTTPClientRequest(url: fixture.server.baseURL + "/_sandbox/revoke")
        request.method = .POST
        _ = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        #expect(try await fixture.client.employees().collect().count == 2)
        #expect(fixture.sandbox.requestCounts["POST /identity/connect/token"] == 2 && fixture.sandbox.openSessions == 0)
    }

    @Test func oauthAuthorizationCodeWithAGUIDAtTenantClientID() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let app = fixture.sandbox.configuration
        #expect(app.clientID.hasSuffix("@SandboxCo"))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { Task { try? await http.shutdown() } }
        let authorize = "\(fixture.server.baseURL)/identity/connect/authorize?client_id=\(FormEncoding.escape(app.clientID))&response_type=code&redirect_uri=\(FormEncoding.escape(app.redirectURI))&scope=api%20offline_access&state=s1"
        let redirect = try await http.execute(HTTPClientRequest(url: authorize), timeout: .seconds(5))
        let location = try #require(redirect.headers.first(name: "Location"))
        let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)

        let tokens = OAuth2TokenClient(tokenURL: fixture.server.baseURL + "/identity/connect/token", encoding: .form)
        let exchange = try tokens.codeExchangeRequest(code: code, clientID: app.clientID, clientSecret: app.clientSecret, redirectURI: app.redirectURI)
        let answer = try await fixture.pipeline.sendUnauthenticated(exchange, connection: fixture.connection, provider: AcumaticaProvider.description)
        let credential = try tokens.credential(from: answer, previous: Credential(kind: .oauth2, clientID: app.clientID, clientSecret: app.clientSecret))
        #expect(credential.refreshToken != nil && credential.expiresAt != nil)

        var connection = fixture.connection
        connection.id = "acu-oauth"
        connection[setting: .authStyle] = AuthStyle.oauth
        try await fixture.store.addConnection(connection, credential: credential)
        #expect(try await AcumaticaClient(pipeline: fixture.pipeline, connection: connection).bills().collect().count == 3)
        #expect(fixture.sandbox.openSessions == 0)
    }

    @Test func anEndpointVersionTheInstanceDoesNotRunIs404AndPingNamesWhatItOffers() async throws {
        let fixture = try await AcumaticaFixture.start(version: "23.200.001")
        defer { Task { await fixture.stop() } }
        let error = await #expect(throws: ConnectorError.self) { try await fixture.client.bills().collect() }
        #expect(error?.kind == "not_found")
        let ping = try await AcumaticaConnector().ping(pipeline: fixture.pipeline, connection: fixture.connection)
        #expect(ping.contains("23.200.001") && ping.contains("offers 24.200.001"))
        #expect(fixture.sandbox.openSessions == 1, "the failed client above never signed out; ping did")
    }

    @Test func anInstanceRunning23Serves23() async throws {
        var configuration = AcumaticaSandbox.Configuration()
        configuration.endpointVersion = "23.200.001"
        let fixture = try await AcumaticaFixture.start(version: "23.200.001", configuration: configuration)
        defer { Task { await fixture.stop() } }
        #expect(try await AcumaticaClient.withSession(pipeline: fixture.pipeline, connection: fixture.connection) { try await $0.bills().collect() }.count == 3)
    }
}
