import ConnectorKit

/// FreshBooks' facts as data (api digest A1, A2, A8).
public enum FreshBooksProvider {
    /// The production description. FreshBooks publishes no numeric limit; 300 requests a
    /// minute keeps well inside what its SDKs retry around, and a connection may set its own
    /// (`settings.rate_limit`, e.g. `100/1s`) to match a stricter account or a sandbox.
    public static let description = ProviderDescription(
        system: .freshbooks,
        defaultBaseURLs: ["api": "https://api.freshbooks.com", "auth": "https://auth.freshbooks.com"],
        authScheme: .bearer,
        // FreshBooks: the token endpoint is on the API host and repeats redirect_uri on refresh (digest A2).
        tokenEndpoint: TokenEndpoint(baseURLRole: "api", path: "/auth/oauth/token", encoding: .form, sendsRedirectURIOnRefresh: true),
        rateLimit: RateLimit(requests: 300, per: .seconds(60)),
        requestTimeout: .seconds(30),
        retry: RetryPolicy(maxRetries: 4, baseDelay: .milliseconds(500), maxDelay: .seconds(30), maxInlineWait: .seconds(60))
    )

    /// The description for one connection, with its own rate limit when it sets one.
    public static func description(for connection: Connection) -> ProviderDescription {
        var provider = description
        if let text = connection.settings["rate_limit"], let limit = parseRateLimit(text) {
            provider.rateLimit = limit
        }
        return provider
    }

    /// Reads `N/1s`, `N/60s` or `N/1m`.
    public static func parseRateLimit(_ text: String) -> RateLimit? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        let unit = parts[1]
        guard let amount = Int(unit.dropLast()), amount > 0 else { return nil }
        switch unit.last {
        case "s": return RateLimit(requests: count, per: .seconds(amount))
        case "m": return RateLimit(requests: count, per: .seconds(amount * 60))
        default: return nil
        }
    }

    /// Scopes the integrations need (digest A2).
    public static let scopes = [
        "user:profile:read", "user:clients:read", "user:clients:write", "user:invoices:read", "user:invoices:write", "user:payments:read",
        "user:expenses:read", "user:expenses:write", "user:projects:read", "user:projects:write", "user:time_entries:read", "user:teams:read",
    ]

    /// Events a connection subscribes to.
    public static let webhookEvents = [
        "invoice.create", "invoice.update", "payment.create", "payment.update", "expense.create", "client.create", "project.update", "time_entry.create", "bill.create",
    ]
}
