import AsyncHTTPClient
import ConnectorKit
import Foundation
import QuickBooks
import Sandbox
import Testing

@Suite struct QuickBooksOAuthTests {
    /// Follows the authorize page to its redirect, as a browser would, and returns the address.
    static func redirectAddress(_ url: String) async throws -> String {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { Task { try? await http.shutdown() } }
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        return try #require(response.headers.first(name: "Location"))
    }

    @Test func theCodeIsExchangedWithBasicClientAuthAndTheRealmComesFromTheRedirect() async throws {
        try await QuickBooksFixture.with { fixture in
            let app = fixture.sandbox.configuration
            let flow = try OAuthFlow(provider: QuickBooksProvider.description, clientID: app.clientID, redirectURI: app.redirectURI)
            let redirect = try await Self.redirectAddress(try flow.authorizeURL(connection: fixture.connection))
            #expect(flow.account(fromPasted: redirect) == fixture.sandbox.realmID)
            let credential = try await flow.exchange(code: try flow.code(fromPasted: redirect), clientSecret: app.clientSecret, connection: fixture.connection,
                                                     pipeline: HTTPPipeline(credentials: StaticCredentialSource(Credential(kind: .oauth2))))
            #expect(credential.accessToken != nil && credential.refreshToken != nil)
            #expect(abs((credential.expiresAt ?? .distantPast).timeIntervalSinceNow - 3600) < 10)
            // The client id and secret went in HTTP Basic: a body-auth client is refused.
            let bodyAuth = OAuth2TokenClient(tokenURL: fixture.server.baseURL + "/oauth2/v1/tokens/bearer", encoding: .form)
            await #expect(throws: ConnectorError.self) {
                _ = try await fixture.pipeline.sendUnauthenticated(try bodyAuth.refreshRequest(for: credential), connection: fixture.connection, provider: QuickBooksProvider.description)
            }
        }
    }

    @Test func aRotatedRefreshTokenIsStoredAndTheOldOneHasGrace() async throws {
        var configuration = QuickBooksSandbox.Configuration()
        configuration.refreshTokenRotation = .zero
        try await QuickBooksFixture.with(configuration) { fixture in
            let before = try await fixture.store.credential(for: fixture.connection.id)
            fixture.sandbox.revokeAccessTokens()
            // The 401 (lower-case fault) makes the pipeline refresh once, then the call succeeds.
            #expect(try await fixture.client().companyInfo().CompanyName == "Sandbox Builders LLC")
            let after = try await fixture.store.credential(for: fixture.connection.id)
            #expect(after.version > before.version)
            #expect(after.credential.refreshToken != before.credential.refreshToken, "QBO rotated the refresh token and it was stored")
            // The replaced token still works inside its 24 h grace.
            let client = OAuth2TokenClient(endpoint: try #require(QuickBooksProvider.description.tokenEndpoint), tokenURL: fixture.server.baseURL + "/oauth2/v1/tokens/bearer")
            let response = try await fixture.pipeline.sendUnauthenticated(try client.refreshRequest(for: before.credential), connection: fixture.connection,
                                                                          provider: QuickBooksProvider.description)
            #expect(response.status == 200)
        }
    }

    @Test func aRevokedTokenAnswersTheLowerCaseFault() async throws {
        try await QuickBooksFixture.with { fixture in
            let credential = try await fixture.store.credential(for: fixture.connection.id).credential
            fixture.sandbox.revokeAccessTokens()
            do {
                _ = try await QuickBooksClient(pipeline: HTTPPipeline(credentials: StaticCredentialSource(Credential(kind: .apiToken, accessToken: credential.accessToken))),
                                               connection: fixture.connection).companyInfo()
                Issue.record("expected unauthorized")
            } catch let error as ConnectorError {
                #expect(error.kind == "unauthorized")
            }
        }
    }
}
