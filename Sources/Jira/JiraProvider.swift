import ConnectorKit

extension SystemKind {
    /// Jira Cloud.
    public static let jira = SystemKind("jira")
}

extension SettingKey {
    /// The site's cloud id (OAuth connections reach the API at `/ex/jira/{cloudid}`, digest 3.1).
    public static let cloudID = SettingKey("cloud_id")
    /// The site root (`https://<site>.atlassian.net`).
    public static let jiraSite = SettingKey("site_url")
    /// The connected user's account id.
    public static let jiraAccountID = SettingKey("jira_account_id")
    /// The connected user's time zone: JQL dates are read in it (digest 3.4).
    public static let jiraTimeZone = SettingKey("jira_time_zone")
    /// The project the connection's feeds and webhooks watch (a key, `MLC`); all projects when absent.
    public static let jiraProject = SettingKey("jira_project")
}

/// Jira record types, as they appear in references (`jira:issue:10001`).
public enum JiraRecord: String, Sendable {
    case issue, worklog, project, user, webhook, comment, field, site
}

extension ExternalRef {
    /// A Jira record: `.jira(.issue, "10001")`.
    public static func jira(_ type: JiraRecord, _ id: some CustomStringConvertible) -> ExternalRef {
        ExternalRef(.jira, type.rawValue, id.description)
    }
}

/// Jira Cloud's facts as data (api digest 3.1, 3.7, 3.8). Base-URL roles: `api` is where
/// `/rest/api/3` lives (the site root for Basic, `{gateway}/ex/jira/{cloudid}` for OAuth, set
/// when the site is chosen), `gateway` is api.atlassian.com, `auth` is auth.atlassian.com.
public enum JiraProvider {
    /// Classic scopes the connector needs; `offline_access` brings a refresh token (digest 3.1).
    public static let scopes = ["read:jira-work", "write:jira-work", "read:jira-user", "manage:jira-webhook", "offline_access"]

    /// The production description. Jira publishes per-endpoint burst limits without numbers
    /// (digest 3.8); 10 requests a second stays clear of them, and a connection may set its own.
    public static let description = ProviderDescription(
        system: .jira,
        displayName: "Jira",
        defaultBaseURLs: ["auth": "https://auth.atlassian.com", "gateway": "https://api.atlassian.com"],
        authScheme: .bearer,
        tokenEndpoint: TokenEndpoint(baseURLRole: "auth", path: "/oauth/token", encoding: .json),
        // Atlassian: the authorize page wants audience=api.atlassian.com and prompt=consent (digest 3.1).
        authorization: AuthorizationFacts(baseURLRole: "auth", path: "/authorize", scopes: scopes, extraParameters: ["audience=api.atlassian.com", "prompt=consent"]),
        signatureHeader: "X-Hub-Signature",
        rateLimit: RateLimit(requests: 10, per: .seconds(1)),
        requestTimeout: .seconds(30),
        retry: RetryPolicy(maxRetries: 4, baseDelay: .milliseconds(500), maxDelay: .seconds(30), maxInlineWait: .seconds(60)),
        requestIDHeader: "X-AREQUESTID"
    )

    /// The REST API's path prefix under the `api` base URL.
    public static let restPath = "/rest/api/3"
}
