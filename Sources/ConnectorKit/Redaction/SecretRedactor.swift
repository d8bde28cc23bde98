import Foundation
import NIOConcurrencyHelpers

/// Removes secrets from text bound for logs, errors, audit entries and API output.
///
/// Two nets: every secret value the process has handled (registered when a credential is
/// decrypted or created) is replaced wherever it appears, and well-known secret shapes
/// (`Bearer …`, `"access_token": "…"`, `client_secret=…`) are masked even when unregistered.
public final class SecretRedactor: Sendable {
    /// The process-wide redactor used by the logger, the audit trail and the HTTP pipeline.
    public static let shared = SecretRedactor()

    /// What replaces a secret.
    public static let mask = "<redacted>"

    /// Shorter values are not registered: masking every 3-letter word would ruin logs, and such
    /// values are not secrets worth the name.
    private static let minimumLength = 6
    private static let maximumRemembered = 10_000

    /// How long a secret lives, which decides what is forgotten first when memory is full.
    public enum Lifetime: Sendable {
        /// Client secrets, personal access tokens, passwords, webhook secrets: kept in their own
        /// list, never pushed out by one-off values however many of those arrive.
        case longLived
        /// Values replaced often (OAuth access and refresh tokens): forgotten oldest first.
        case oneOff
    }

    private struct Remembered {
        var longLived: [String] = []
        var oneOff: [String] = []
    }

    private let secrets = NIOLockedValueBox(Remembered())

    /// Creates an empty redactor (tests use their own; the process uses `shared`).
    public init() {}

    /// Remembers secret values so that later text containing them is masked.
    public func register(_ values: [String], lifetime: Lifetime = .longLived) {
        let candidates = values.filter { $0.count >= Self.minimumLength }
        guard !candidates.isEmpty else { return }
        secrets.withLockedValue { known in
            for value in candidates where !known.longLived.contains(value) && !known.oneOff.contains(value) {
                switch lifetime {
                case .longLived: known.longLived.append(value)
                case .oneOff: known.oneOff.append(value)
                }
            }
            if known.oneOff.count > Self.maximumRemembered { known.oneOff.removeFirst(known.oneOff.count - Self.maximumRemembered) }
            if known.longLived.count > Self.maximumRemembered { known.longLived.removeFirst(known.longLived.count - Self.maximumRemembered) }
        }
    }

    /// Remembers every secret of a credential: OAuth tokens as one-off values (they are
    /// replaced within hours), everything else (client secrets, personal tokens, passwords) as
    /// long-lived.
    public func register(_ credential: Credential) {
        if credential.kind == .oauth2 {
            register([credential.accessToken, credential.refreshToken].compactMap { $0 }, lifetime: .oneOff)
            register([credential.clientSecret, credential.password].compactMap { $0 } + Array(credential.extra.values), lifetime: .longLived)
        } else {
            register(credential.secretValues, lifetime: .longLived)
        }
    }

    /// Returns `text` with every known secret and every secret-shaped value masked.
    public func redact(_ text: String) -> String {
        var result = text
        // Longest first, so a secret that contains another is masked whole.
        let known = secrets.withLockedValue { $0.longLived + $0.oneOff }.sorted { $0.count > $1.count }
        for secret in known where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        return Self.maskSecretShapes(in: result)
    }

    /// Masks every secret-shaped value. `prefilter` skips the patterns for text that holds none
    /// of their words (the patterns cost a hundred times the check, and run on every audited
    /// URL); tests turn it off to show it changes nothing.
    static func maskSecretShapes(in text: String, prefilter: Bool = true) -> String {
        if prefilter && !mayHoldSecretShape(text) { return text }
        var result = text
        for pattern in patterns {
            result = result.replacing(pattern.regex) { match in
                pattern.keep(String(result[match.range])) + mask
            }
        }
        return result
    }

    /// False only when no pattern can match: the text is ASCII (so case-insensitive matching
    /// cannot fold a look-alike letter into a key) and contains none of the words every pattern
    /// needs, in any case.
    static func mayHoldSecretShape(_ text: String) -> Bool {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return true }
        let lower = text.lowercased()
        return patternWords.contains { lower.contains($0) }
    }

    /// A word of each pattern's alternatives; every match contains one of them.
    private static let patternWords = ["token", "secret", "password", "passwd", "api_key", "apikey", "verifier", "authorization", "code",
                                       "bearer", "basic", "x-api-key", "x-freshbooks-hmac-sha256", "x-hook-signature"]

    private struct Pattern: @unchecked Sendable {
        // Regex is not Sendable; these are immutable literals built once and only read.
        let regex: Regex<AnyRegexOutput>
        let keep: @Sendable (String) -> String
    }

    private static let secretKeys = "access_token|refresh_token|id_token|client_secret|password|passwd|secret|api_key|apikey|api_token|token|code_verifier|verifier|signing_secret|hook_secret|authorization"

    private static let patterns: [Pattern] = {
        func prefix(upTo separator: Character) -> @Sendable (String) -> String {
            { text in
                guard let index = text.lastIndex(of: separator) else { return "" }
                var head = String(text[...index])
                // Keep an opening quote of a JSON string value.
                let rest = text[text.index(after: index)...]
                let spaces = rest.prefix { $0 == " " }
                head += spaces
                if rest.dropFirst(spaces.count).first == "\"" { head += "\"" }
                return head
            }
        }
        let sources: [(String, @Sendable (String) -> String)] = [
            // JSON: "access_token": "value"
            (#"(?i)"(\#(secretKeys))"\s*:\s*"[^"]*"#, prefix(upTo: ":")),
            // Form or query: refresh_token=value, code=value (keys are lower case on the wire;
            // matching case-sensitively keeps "Code=2" in error texts readable).
            (#"\b(\#(secretKeys)|code)=[^&\s"]+"#, prefix(upTo: "=")),
            // Header: Authorization: Bearer value / Basic value
            (#"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/=:]{6,}"#, { text in String(text.prefix { $0 != " " }) + " " }),
            // Header-like lines: X-Hook-Secret: value
            (#"(?i)\b(x-hook-secret|x-api-key|x-freshbooks-hmac-sha256|x-hook-signature)\s*:\s*\S+"#, prefix(upTo: ":")),
        ]
        return sources.map { source in
            // The patterns are literals checked by the tests; a failure here is a programming error.
            Pattern(regex: try! Regex(source.0), keep: source.1)
        }
    }()
}
