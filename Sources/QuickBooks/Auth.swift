import ConnectorKit
import Foundation

/// Who a QuickBooks credential reaches. The realm comes on the OAuth redirect (api digest 1.1),
/// so the connection already names it; `companyinfo` confirms the token reaches it and names
/// the company. The OAuth flow itself is the shared `OAuthFlow`, driven by the provider facts.
public struct QuickBooksAuth: Sendable {
    /// The pipeline used for the identity call.
    public let pipeline: HTTPPipeline

    /// Creates the helper.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// The company of the connection's realm, as the one account the credential reaches.
    public func identity(connection: Connection) async throws -> ConnectedIdentity {
        guard connection.accountRef != nil else {
            throw ConnectorError.validation(field: "--company", message: "QuickBooks names the company only on the OAuth redirect: paste the whole redirect address, or give --company <realmId>")
        }
        let client = QuickBooksClient(pipeline: pipeline, connection: connection)
        let realm = try client.realmID()
        let company = try await client.companyInfo()
        let name = company.CompanyName ?? company.LegalName ?? "realm \(realm)"
        return ConnectedIdentity(user: company.Email?.Address ?? "the company's admin", accounts: [
            AccountChoice(id: realm, name: name, detail: company.Country.map { "realm \(realm), \($0)" } ?? "realm \(realm)", accountRef: realm, settings: [:]),
        ])
    }
}
