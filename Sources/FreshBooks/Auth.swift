import ConnectorKit
import Foundation

/// Who a FreshBooks token belongs to and which businesses it reaches (`users/me`, digest A3).
/// The OAuth flow itself is the shared `OAuthFlow`, driven by `FreshBooksProvider`'s facts.
public struct FreshBooksAuth: Sendable {
    /// The pipeline used for the identity call.
    public let pipeline: HTTPPipeline

    /// Creates the helper.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    /// Who the token belongs to and which businesses it reaches (`users/me`).
    public func identity(connection: Connection) async throws -> Identity {
        let client = FreshBooksClient(pipeline: pipeline, connection: connection)
        return try await client.send(.GET, "/auth/api/v1/users/me", as: IdentityEnvelope.self).response
    }

    /// A business as an account a connection can be made to.
    public static func account(for membership: BusinessMembership) -> AccountChoice {
        var settings = [SettingKey.accountID.rawValue: membership.business.account_id, SettingKey.businessID.rawValue: "\(membership.business.id)",
                        SettingKey.businessName.rawValue: membership.business.name]
        settings[SettingKey.businessUUID.rawValue] = membership.business.business_uuid
        return AccountChoice(id: "\(membership.business.id)", name: membership.business.name, detail: "account \(membership.business.account_id), role \(membership.role)",
                             accountRef: membership.business.account_id, settings: settings)
    }
}

struct IdentityEnvelope: Decodable { var response: Identity }
