import ConnectorKit

/// Asana's facts as data (api digest B1, B2, B8).
public enum AsanaProvider {
    /// The production description: 1,500 requests a minute on paid plans (150 on free: set
    /// `settings.rate_limit` to `150/1m` for a free workspace).
    public static let description = ProviderDescription(
        system: .asana,
        defaultBaseURLs: ["api": "https://app.asana.com/api/1.0", "auth": "https://app.asana.com"],
        authScheme: .bearer,
        tokenEndpoint: TokenEndpoint(baseURLRole: "auth", path: "/-/oauth_token", encoding: .form),
        rateLimit: RateLimit(requests: 1500, per: .seconds(60)),
        requestTimeout: .seconds(30),
        retry: RetryPolicy(maxRetries: 5, baseDelay: .milliseconds(500), maxDelay: .seconds(30), maxInlineWait: .seconds(60)),
        requestIDHeader: "X-Request-Id"
    )

    /// The description for one connection, with its own rate limit when it sets one.
    public static func description(for connection: Connection) -> ProviderDescription {
        var provider = description
        if let text = connection.settings["rate_limit"], let limit = RateLimitText.parse(text) {
            provider.rateLimit = limit
        }
        return provider
    }
}

/// `N/1s`, `N/60s`, `N/1m`: a request limit as an operator writes it.
public enum RateLimitText {
    /// Reads the text; nil when malformed.
    public static func parse(_ text: String) -> RateLimit? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let amount = Int(parts[1].dropLast()), amount > 0 else { return nil }
        switch parts[1].last {
        case "s": return RateLimit(requests: count, per: .seconds(amount))
        case "m": return RateLimit(requests: count, per: .seconds(amount * 60))
        default: return nil
        }
    }
}
