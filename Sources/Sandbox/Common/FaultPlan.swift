import Foundation

/// Faults a test or the demo asks a sandbox to inject, read by every route before it answers.
public struct FaultPlan: Sendable, Codable, Equatable {
    /// Answer the next `count` API calls with `status` (429 carries `Retry-After`).
    public var failNext: Int = 0
    /// The status for `failNext`.
    public var failStatus: Int = 503
    /// Seconds sent in `Retry-After` with a 429.
    public var retryAfterSeconds: Int = 1
    /// A sustained limit: more than this many calls in any window answer 429.
    public var rateLimitPerMinute: Int?
    /// The window of the sustained limit, in seconds (60 unless a test shortens it).
    public var rateLimitWindowSeconds: Int = 60
    /// 429s sent because of the sustained limit.
    public var rateLimitedCount: Int = 0
    /// Added to every API answer, in milliseconds.
    public var slowMilliseconds: Int = 0
    /// Webhook deliveries are not sent.
    public var dropWebhooks: Bool = false
    /// Webhook deliveries are sent twice.
    public var duplicateWebhooks: Bool = false
    /// Delay before a webhook is delivered, in milliseconds.
    public var webhookDelayMilliseconds: Int = 0
    /// Apply the change but lose the response of the next `count` creates (the caller sees 502).
    public var loseNextCreateResponses: Int = 0

    /// No faults.
    public init() {}
}
