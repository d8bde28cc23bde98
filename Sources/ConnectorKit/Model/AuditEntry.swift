import Foundation

/// The outcome recorded for one attempt of one job, or one refused delivery.
public enum AuditOutcome: String, Codable, Sendable, CaseIterable {
    /// The attempt did what it set out to do.
    case succeeded
    /// The attempt found nothing to write (content unchanged).
    case unchanged
    /// The attempt failed and the job will run again.
    case retrying
    /// The attempt failed for good; the job is in dead letters.
    case dead
    /// An inbound delivery was refused (bad signature, unknown subscription).
    case rejected
}

/// A summary of one outbound HTTP exchange, with secrets already removed.
public struct ExchangeSummary: Codable, Sendable, Equatable {
    /// The system called.
    public var system: String
    /// HTTP method.
    public var method: String
    /// The URL with secret query parameters redacted.
    public var url: String
    /// The response status, or nil when no response came.
    public var status: Int?
    /// Milliseconds from send to response (or failure).
    public var durationMs: Int
    /// The vendor's request id header, if any.
    public var vendorRequestID: String?
    /// A short, redacted excerpt of an error response body or the transport error.
    public var note: String?

    /// Creates a summary.
    public init(system: String, method: String, url: String, status: Int?, durationMs: Int, vendorRequestID: String? = nil, note: String? = nil) {
        self.system = system
        self.method = method
        self.url = url
        self.status = status
        self.durationMs = durationMs
        self.vendorRequestID = vendorRequestID
        self.note = note
    }
}

/// One append-only line of the audit trail.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// Assigned by the store; nil before it is written.
    public var id: Int64?
    /// When the attempt ended.
    public var at: Date
    /// The tenant of the integration or connection.
    public var tenant: String
    /// The integration the job belongs to.
    public var integrationID: String?
    /// The job, when the entry is about a job attempt.
    public var jobID: String?
    /// 1 for the first attempt.
    public var attempt: Int
    /// The connection used or addressed.
    public var connectionID: String?
    /// The record the work came from.
    public var sourceRef: String?
    /// The record written.
    public var targetRef: String?
    /// What was done (`job kind`, `webhook.reject`, …).
    public var action: String
    /// How it went.
    public var outcome: AuditOutcome
    /// The redacted error, if any.
    public var error: String?
    /// How long the attempt took.
    public var durationMs: Int
    /// The outbound requests made during the attempt.
    public var exchanges: [ExchangeSummary]

    /// Creates an audit entry.
    public init(
        id: Int64? = nil,
        at: Date = Date(),
        tenant: String = defaultTenant,
        integrationID: String? = nil,
        jobID: String? = nil,
        attempt: Int = 1,
        connectionID: String? = nil,
        sourceRef: String? = nil,
        targetRef: String? = nil,
        action: String,
        outcome: AuditOutcome,
        error: String? = nil,
        durationMs: Int = 0,
        exchanges: [ExchangeSummary] = []
    ) {
        self.id = id
        self.at = at
        self.tenant = tenant
        self.integrationID = integrationID
        self.jobID = jobID
        self.attempt = attempt
        self.connectionID = connectionID
        self.sourceRef = sourceRef
        self.targetRef = targetRef
        self.action = action
        self.outcome = outcome
        self.error = error
        self.durationMs = durationMs
        self.exchanges = exchanges
    }
}
