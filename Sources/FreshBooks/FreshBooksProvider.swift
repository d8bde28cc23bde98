import ConnectorKit

extension SystemKind {
    /// FreshBooks.
    public static let freshbooks = SystemKind("freshbooks")
}

extension SettingKey {
    /// The accounting account id (`account_id`, digest A3).
    public static let accountID = SettingKey("account_id")
    /// The projects and time-tracking business id (`business_id`, digest A3).
    public static let businessID = SettingKey("business_id")
    /// The business's name.
    public static let businessName = SettingKey("business_name")
    /// The business's uuid.
    public static let businessUUID = SettingKey("business_uuid")
}

/// FreshBooks record types, as they appear in references (`freshbooks:invoice:42`).
public enum FreshBooksRecord: String, Sendable {
    case client, invoice, payment, expense, project, callback, account, feed, bill
    case billVendor = "bill_vendor"
    case timeEntry = "time_entry"
}

extension ExternalRef {
    /// A FreshBooks record: `.freshbooks(.invoice, 42)`.
    public static func freshbooks(_ type: FreshBooksRecord, _ id: some CustomStringConvertible) -> ExternalRef {
        ExternalRef(.freshbooks, type.rawValue, id.description)
    }
}

/// FreshBooks' facts as data (api digest A1, A2, A7, A8).
public enum FreshBooksProvider {
    /// Scopes the integrations need (digest A2).
    public static let scopes = [
        "user:profile:read", "user:clients:read", "user:clients:write", "user:invoices:read", "user:invoices:write", "user:payments:read",
        "user:expenses:read", "user:expenses:write", "user:projects:read", "user:projects:write", "user:time_entries:read", "user:teams:read",
    ]

    /// The header a callback delivery's signature comes in (digest A7).
    public static let signatureHeader = "X-FreshBooks-Hmac-SHA256"

    /// The production description. FreshBooks publishes no numeric limit; 300 requests a
    /// minute keeps well inside what its SDKs retry around, and a connection may set its own
    /// (`settings.rate_limit`, e.g. `100/1s`) to match a stricter account or a sandbox.
    public static let description = ProviderDescription(
        system: .freshbooks,
        displayName: "FreshBooks",
        defaultBaseURLs: ["api": "https://api.freshbooks.com", "auth": "https://auth.freshbooks.com"],
        authScheme: .bearer,
        // FreshBooks: the token endpoint is on the API host and repeats redirect_uri on refresh (digest A2).
        tokenEndpoint: TokenEndpoint(baseURLRole: "api", path: "/auth/oauth/token", encoding: .form, sendsRedirectURIOnRefresh: true),
        authorization: AuthorizationFacts(baseURLRole: "auth", path: "/oauth/authorize", scopes: scopes),
        signatureHeader: signatureHeader,
        rateLimit: RateLimit(requests: 300, per: .seconds(60)),
        requestTimeout: .seconds(30),
        retry: RetryPolicy(maxRetries: 4, baseDelay: .milliseconds(500), maxDelay: .seconds(30), maxInlineWait: .seconds(60))
    )

    /// Events a connection subscribes to when no integration narrows them.
    public static let webhookEvents = [
        "invoice.create", "invoice.update", "payment.create", "payment.update", "expense.create", "client.create", "project.update", "time_entry.create", "bill.create",
    ]
}
