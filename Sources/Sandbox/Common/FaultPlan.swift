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
    /// 429s sent because of the sustained limit since this plan was set.
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
    /// Refuse every write (any method but GET) whose path contains this text with
    /// `failWritesStatus`, until cleared: a cause the operator must fix (`"/invoices/invoices"`
    /// for invoice creates and updates), not a passing fault.
    public var failWritesOn: String?
    /// The status for `failWritesOn` (422: the vendor found the request invalid).
    public var failWritesStatus: Int = 422

    /// No faults.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case failNext, failStatus, retryAfterSeconds, rateLimitPerMinute, rateLimitWindowSeconds, rateLimitedCount, slowMilliseconds
        case dropWebhooks, duplicateWebhooks, webhookDelayMilliseconds, loseNextCreateResponses, failWritesOn, failWritesStatus
    }

    /// Decodes a plan; a key that is absent keeps its no-fault default, so `{"failNext": 2}` is a plan.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = FaultPlan()
        failNext = try container.decodeIfPresent(Int.self, forKey: .failNext) ?? defaults.failNext
        failStatus = try container.decodeIfPresent(Int.self, forKey: .failStatus) ?? defaults.failStatus
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? defaults.retryAfterSeconds
        rateLimitPerMinute = try container.decodeIfPresent(Int.self, forKey: .rateLimitPerMinute)
        rateLimitWindowSeconds = try container.decodeIfPresent(Int.self, forKey: .rateLimitWindowSeconds) ?? defaults.rateLimitWindowSeconds
        rateLimitedCount = try container.decodeIfPresent(Int.self, forKey: .rateLimitedCount) ?? defaults.rateLimitedCount
        slowMilliseconds = try container.decodeIfPresent(Int.self, forKey: .slowMilliseconds) ?? defaults.slowMilliseconds
        dropWebhooks = try container.decodeIfPresent(Bool.self, forKey: .dropWebhooks) ?? defaults.dropWebhooks
        duplicateWebhooks = try container.decodeIfPresent(Bool.self, forKey: .duplicateWebhooks) ?? defaults.duplicateWebhooks
        webhookDelayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .webhookDelayMilliseconds) ?? defaults.webhookDelayMilliseconds
        loseNextCreateResponses = try container.decodeIfPresent(Int.self, forKey: .loseNextCreateResponses) ?? defaults.loseNextCreateResponses
        failWritesOn = try container.decodeIfPresent(String.self, forKey: .failWritesOn)
        failWritesStatus = try container.decodeIfPresent(Int.self, forKey: .failWritesStatus) ?? defaults.failWritesStatus
        if let problem = outOfRange {
            throw DecodingError.dataCorrupted(.init(codingPath: [problem.key], debugDescription: problem.message))
        }
    }

    /// The longest wait a plan may ask for (slow answers, delayed webhooks): ten minutes.
    public static let longestWaitMilliseconds = 600_000

    /// The first value no sandbox can act on, as the key and why; nil when every value is usable.
    /// Statuses must be 4xx or 5xx (HTTPTypes traps outside 0...999), counts and waits must not
    /// be negative, a wait at most `longestWaitMilliseconds`, a rate-limit window at least a second.
    var outOfRange: (key: CodingKeys, message: String)? {
        let counts: [(CodingKeys, Int)] = [(.failNext, failNext), (.retryAfterSeconds, retryAfterSeconds), (.rateLimitedCount, rateLimitedCount),
                                           (.loseNextCreateResponses, loseNextCreateResponses), (.rateLimitPerMinute, rateLimitPerMinute ?? 0)]
        if let (key, value) = counts.first(where: { $0.1 < 0 }) { return (key, "\(key.rawValue) is \(value); it cannot be negative") }
        for (key, status) in [(CodingKeys.failStatus, failStatus), (.failWritesStatus, failWritesStatus)] where !(400...599).contains(status) {
            return (key, "\(key.rawValue) is \(status); a fault answers with a status from 400 to 599")
        }
        for (key, wait) in [(CodingKeys.slowMilliseconds, slowMilliseconds), (.webhookDelayMilliseconds, webhookDelayMilliseconds)]
        where !(0...Self.longestWaitMilliseconds).contains(wait) {
            return (key, "\(key.rawValue) is \(wait); a wait is from 0 to \(Self.longestWaitMilliseconds) milliseconds")
        }
        if rateLimitWindowSeconds < 1 { return (.rateLimitWindowSeconds, "rateLimitWindowSeconds is \(rateLimitWindowSeconds); the window is at least a second") }
        return nil
    }

    /// Why a body was not accepted as (part of) a fault plan.
    public enum PatchError: Error, Equatable {
        /// The body is not a JSON object.
        case notAnObject
        /// The body names keys a plan does not have (likely typos).
        case unknownKeys([String])
        /// A value has the wrong type.
        case invalidValue(String)
    }

    /// This plan with the keys of `patch` (a JSON object) laid over it: keys not named keep their
    /// current value, `null` clears `rateLimitPerMinute` and `failWritesOn`.
    public func merging(_ patch: JSONValue) throws(PatchError) -> FaultPlan {
        guard let changes = patch.object else { throw .notAnObject }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let unknown = changes.keys.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else { throw .unknownKeys(unknown) }
        do {
            var merged = try JSONValue.parse(JSONEncoder().encode(self)).object ?? [:]
            merged.merge(changes) { _, new in new }
            return try JSONDecoder().decode(FaultPlan.self, from: JSONValue.object(merged).serialized())
        } catch {
            throw .invalidValue("\(error)")
        }
    }
}
