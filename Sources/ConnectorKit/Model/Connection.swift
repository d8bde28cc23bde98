import Foundation

/// The tenant every record belongs to unless the operator names another.
public let defaultTenant = "default"

/// A configured link to one account of one external system.
///
/// The credentials live in the vault, keyed by `id`; a connection itself holds no secret and
/// may be listed, logged and returned by the API.
public struct Connection: Codable, Sendable, Equatable, Identifiable {
    /// The operator-chosen identifier (`fb-acme`), unique on the server.
    public var id: String
    /// The customer of the operator this connection serves.
    public var tenant: String
    /// Which external system this connection talks to.
    public var system: SystemKind
    /// A human label shown in listings.
    public var displayName: String
    /// Base URLs by role (`api`, `auth`, …); roles not set here use the provider's production hosts.
    public var baseURLs: [String: String]
    /// The vendor's identifier of the account behind this connection (FreshBooks account_id, QBO
    /// realmId, …), used to route webhook deliveries that name the account rather than our path.
    public var accountRef: String?
    /// System-specific settings that are not secret (business id, workspace gid, …).
    public var settings: [String: String]
    /// When the connection was created.
    public var createdAt: Date
    /// When the connection was last changed.
    public var updatedAt: Date

    /// Creates a connection description.
    public init(
        id: String,
        tenant: String = defaultTenant,
        system: SystemKind,
        displayName: String? = nil,
        baseURLs: [String: String] = [:],
        accountRef: String? = nil,
        settings: [String: String] = [:],
        createdAt: Date = Date(),
        updatedAt: Date? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.system = system
        self.displayName = displayName ?? id
        self.baseURLs = baseURLs
        self.accountRef = accountRef
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// The base URL for `role`, falling back to the provider's default host for that role.
    public func baseURL(_ role: String, provider: ProviderDescription) throws -> String {
        if let url = baseURLs[role] { return url }
        if let url = provider.defaultBaseURLs[role] { return url }
        throw ConnectorError.validation(
            field: "baseURLs.\(role)",
            message: "connection \(id) has no \(role) URL and \(provider.system) has no default; set one with --base-url \(role)=URL"
        )
    }
}

/// Checks an operator-chosen identifier (connection, integration, tenant names).
public enum Identifier {
    /// Throws a validation error naming `field` unless `value` is 1–64 of `a-z 0-9 - _ .`.
    public static func validate(_ value: String, field: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard !value.isEmpty, value.count <= 64, value.lowercased() == value, value.allSatisfy({ allowed.contains($0) }) else {
            throw ConnectorError.validation(
                field: field,
                message: "'\(value)' is not a valid \(field): use 1–64 lower-case letters, digits, '-', '_' or '.'"
            )
        }
    }
}
