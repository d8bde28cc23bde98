import Foundation

/// The errors every connector speaks, so that the engine can decide what to do without knowing
/// the vendor: retry, refresh, re-read, or give up and keep the job in dead letters.
public enum ConnectorError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The credential was refused even after a refresh; the user must reconnect.
    case unauthorized(String)
    /// The vendor asked us to slow down; `retryAfter` is how long it asked us to wait.
    case rateLimited(retryAfter: Duration?)
    /// The write met a newer version of the record (stale SyncToken, 409); re-read and re-apply.
    case conflict(String)
    /// The record or endpoint does not exist.
    case notFound(String)
    /// An input is wrong; `field` names it and `message` says how to fix it.
    case validation(field: String, message: String)
    /// A failure that may pass by itself (5xx, timeout, connection reset).
    case transient(String)
    /// A failure that will not pass by retrying.
    case permanent(String)

    /// True when trying the same work again later may succeed.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .transient, .conflict: true
        case .unauthorized, .notFound, .validation, .permanent: false
        }
    }

    /// True when a write that failed this way may still have been applied by the vendor, so
    /// an idempotent create must look before it creates again.
    public var mayHaveBeenApplied: Bool {
        switch self {
        case .transient, .conflict: true
        default: false
        }
    }

    /// A short machine-readable name of the case.
    public var kind: String {
        switch self {
        case .unauthorized: "unauthorized"
        case .rateLimited: "rate_limited"
        case .conflict: "conflict"
        case .notFound: "not_found"
        case .validation: "validation"
        case .transient: "transient"
        case .permanent: "permanent"
        }
    }

    public var description: String {
        switch self {
        case .unauthorized(let message): "unauthorized: \(message)"
        case .rateLimited(let retryAfter):
            if let retryAfter { "rate limited: retry after \(retryAfter.components.seconds)s" } else { "rate limited" }
        case .conflict(let message): "conflict: \(message)"
        case .notFound(let message): "not found: \(message)"
        case .validation(let field, let message): "\(field): \(message)"
        case .transient(let message): "transient failure: \(message)"
        case .permanent(let message): "permanent failure: \(message)"
        }
    }

    public var errorDescription: String? { description }
}
