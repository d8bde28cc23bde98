import ConnectorKit
import Foundation
import Testing

/// The shared authorization-code flow, driven by provider facts alone.
@Suite struct OAuthFlowTests {
    func provider(pkce: Bool, scopes: [String] = []) -> ProviderDescription {
        ProviderDescription(system: .custom("vendor"), displayName: "Vendor", defaultBaseURLs: ["auth": "https://auth.vendor.example", "api": "https://api.vendor.example"],
                            tokenEndpoint: TokenEndpoint(baseURLRole: "api", path: "/oauth/token"),
                            authorization: AuthorizationFacts(baseURLRole: "auth", path: "/oauth/authorize", scopes: scopes, pkce: pkce),
                            rateLimit: RateLimit(requests: 10, per: .seconds(1)))
    }

    @Test func theAuthorizeAddressCarriesStateScopesAndAChallengeWherePKCEIsSupported() throws {
        let connection = Connection(id: "c", system: .custom("vendor"))
        let flow = try OAuthFlow(provider: provider(pkce: true, scopes: ["read", "write"]), clientID: "app", redirectURI: "https://localhost/cb")
        let url = try #require(URLComponents(string: try flow.authorizeURL(connection: connection)))
        let items = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.host == "auth.vendor.example" && url.path == "/oauth/authorize")
        #expect(items["state"] == flow.state && items["scope"] == "read write" && items["code_challenge_method"] == "S256")
        #expect(items["code_challenge"] == OAuthFlow.challenge(for: try #require(flow.codeVerifier)))

        let plain = try OAuthFlow(provider: provider(pkce: false), clientID: "app", redirectURI: "https://localhost/cb")
        let plainURL = try plain.authorizeURL(connection: connection)
        #expect(plain.codeVerifier == nil && !plainURL.contains("code_challenge"))
    }

    @Test func aPastedAddressMustCarryThisRunsState() throws {
        let flow = try OAuthFlow(provider: provider(pkce: false), clientID: "app", redirectURI: "https://localhost/cb")
        #expect(try flow.code(fromPasted: "https://localhost/cb?code=abc&state=\(flow.state)") == "abc")
        #expect(try flow.code(fromPasted: "  bare-code  ") == "bare-code")
        #expect(throws: ConnectorError.self) { try flow.code(fromPasted: "https://localhost/cb?code=abc&state=someone-elses") }
        #expect(throws: ConnectorError.self) { try flow.code(fromPasted: "https://localhost/cb?code=&state=\(flow.state)") }
    }

    @Test func aVendorWithoutAnAuthorizePageIsRefusedWithTheWayOut() {
        var facts = provider(pkce: false)
        facts.authorization = nil
        #expect(throws: ConnectorError.validation(field: "--client-id", message: "Vendor has no OAuth sign-in here; connect it with a token instead")) {
            try OAuthFlow(provider: facts, clientID: "app", redirectURI: "https://localhost/cb")
        }
    }
}
