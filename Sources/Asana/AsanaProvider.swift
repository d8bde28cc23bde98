import ConnectorKit

extension SystemKind {
    /// Asana.
    public static let asana = SystemKind("asana")
}

extension SettingKey {
    /// The workspace a connection works in.
    public static let workspaceGID = SettingKey("workspace_gid")
    /// The user the credential belongs to.
    public static let userGID = SettingKey("user_gid")
}

/// Asana record types, as they appear in references (`asana:task:1200…`).
public enum AsanaRecord: String, Sendable {
    case task, project, user, workspace, team, story, webhook, feed
    case customField = "custom_field"
    case enumOption = "enum_option"
}

extension ExternalRef {
    /// An Asana record: `.asana(.task, gid)`.
    public static func asana(_ type: AsanaRecord, _ gid: String) -> ExternalRef {
        ExternalRef(.asana, type.rawValue, gid)
    }
}

/// Asana's facts as data (api digest B1, B2, B8).
public enum AsanaProvider {
    /// The header a delivery's signature comes in (digest B7); the handshake's is `X-Hook-Secret`.
    public static let signatureHeader = "X-Hook-Signature"

    /// The production description: 1,500 requests a minute on paid plans (150 on free: set
    /// `settings.rate_limit` to `150/1m` for a free workspace).
    public static let description = ProviderDescription(
        system: .asana,
        displayName: "Asana",
        defaultBaseURLs: ["api": "https://app.asana.com/api/1.0", "auth": "https://app.asana.com"],
        authScheme: .bearer,
        tokenEndpoint: TokenEndpoint(baseURLRole: "auth", path: "/-/oauth_token", encoding: .form),
        // Asana: OAuth with state and PKCE (digest B2).
        authorization: AuthorizationFacts(baseURLRole: "auth", path: "/-/oauth_authorize", pkce: true),
        signatureHeader: signatureHeader,
        rateLimit: RateLimit(requests: 1500, per: .seconds(60)),
        requestTimeout: .seconds(30),
        retry: RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(500), maxDelay: .seconds(30), maxInlineWait: .seconds(60)),
        requestIDHeader: "X-Request-Id"
    )
}
