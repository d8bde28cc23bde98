import ConnectorKit

extension SystemKind {
    /// Acumatica ERP (contract-based REST API).
    public static let acumatica = SystemKind("acumatica")
}

extension SettingKey {
    /// The tenant's login name (Tenants, SM203520), sent at sign-in (api digest 2.1).
    public static let acumaticaTenant = SettingKey("tenant")
    /// The branch chosen at sign-in (Branches, CS102000).
    public static let acumaticaBranch = SettingKey("branch")
    /// The contract endpoint's name (`Default`).
    public static let endpointName = SettingKey("endpoint_name")
    /// The contract endpoint's version the connection is pinned to (`24.200.001`).
    public static let endpointVersion = SettingKey("endpoint_version")
}

/// Acumatica record types, as they appear in references (`acumatica:bill:Bill/000159`).
public enum AcumaticaRecord: String, Sendable {
    case bill, vendor, employee
    case purchaseOrder = "purchase_order"
    /// A row of a push notification's query that names none of the above.
    case pushRow = "push_row"
}

extension ExternalRef {
    /// An Acumatica record by its key fields joined with `/` (`.acumatica(.bill, "Bill/000159")`).
    public static func acumatica(_ type: AcumaticaRecord, _ keys: String) -> ExternalRef {
        ExternalRef(.acumatica, type.rawValue, keys)
    }
}

/// Acumatica's facts as data (api digest 2.1, 2.2, 2.8, 2.9). Every customer runs its own
/// instance, so there is no default host: a connection sets `api` to the instance root.
public enum AcumaticaProvider {
    /// The endpoint the client speaks unless a connection pins another.
    public static let defaultEndpointName = "Default"
    /// The endpoint version the client speaks unless a connection pins another.
    public static let defaultEndpointVersion = "24.200.001"
    /// The versions whose entities the client's models follow.
    public static let supportedEndpointVersions = ["24.200.001", "23.200.001"]

    /// Scopes asked for: `api` for REST, `offline_access` for a refresh token whose refreshes
    /// reuse one server session (digest 2.1 B); not `api:concurrent_access` (Nango warns).
    public static let scopes = ["api", "offline_access"]

    /// The header the push notification destination sends with every POST. Acumatica signs
    /// nothing: SM302000 has a Header Name and a Header Value, typed in by an administrator
    /// (digest 2.8); this is the name to type, and the value is the subscription's secret.
    public static let pushSecretHeader = "X-ML-Connector-Push-Secret"

    /// The production description. The licence limits API users, concurrent requests and
    /// requests per minute (digest 2.9); 100 a minute is the community figure for standard
    /// tiers, and a connection may set its own (`settings.rate_limit`).
    public static let description = ProviderDescription(
        system: .acumatica,
        displayName: "Acumatica",
        defaultBaseURLs: [:],
        authScheme: .bearer,
        tokenEndpoint: TokenEndpoint(baseURLRole: "api", path: "/identity/connect/token", encoding: .form),
        authorization: AuthorizationFacts(baseURLRole: "api", path: "/identity/connect/authorize", scopes: scopes),
        signatureHeader: pushSecretHeader,
        rateLimit: RateLimit(requests: 100, per: .seconds(60)),
        // Acumatica: the official C# client waits 100 s for an answer (digest 2.9).
        requestTimeout: .seconds(100),
        retry: RetryPolicy(maxRetries: 4, baseDelay: .milliseconds(500), maxDelay: .seconds(30), maxInlineWait: .seconds(60))
    )
}
