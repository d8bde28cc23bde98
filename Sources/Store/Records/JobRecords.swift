import ConnectorKit
import Foundation

/// Where a job is in its life.
public enum JobState: String, Codable, Sendable, CaseIterable {
    /// Waiting for its `runAt`.
    case pending
    /// Claimed by a worker that holds its lease.
    case running
    /// Done.
    case succeeded
    /// Out of attempts or failed for good; a dead letter holds its context.
    case dead
    /// Folded into a newer pending job for the same record.
    case merged
}

/// A request to run some work later.
public struct JobRequest: Sendable, Equatable {
    /// The handler that runs it (`freshbooks-asana.change`, `asana.webhook-upkeep`).
    public var kind: String
    /// The tenant it belongs to.
    public var tenant: String
    /// The integration it serves, if any.
    public var integrationID: String?
    /// The connection it serves, if any.
    public var connectionID: String?
    /// Jobs with the same key merge while one is pending (one job per record).
    public var coalesceKey: String?
    /// The handler's input, as JSON text.
    public var payload: String
    /// Not before this time.
    public var runAt: Date
    /// Tries that may end in a failure before it becomes a dead letter (a claim that died with
    /// its worker is not one; the runner bounds those apart).
    public var maxAttempts: Int
    /// When set, finishing the job schedules the next run this long after.
    public var repeatEvery: Duration?
    /// What started it.
    public var source: TriggerSource
    /// The job or dead letter this one replays.
    public var replayOf: String?

    /// Creates a job request.
    public init(
        kind: String,
        tenant: String = defaultTenant,
        integrationID: String? = nil,
        connectionID: String? = nil,
        coalesceKey: String? = nil,
        payload: String = "{}",
        runAt: Date = Date(),
        maxAttempts: Int = 8,
        repeatEvery: Duration? = nil,
        source: TriggerSource = .manual,
        replayOf: String? = nil
    ) {
        self.kind = kind
        self.tenant = tenant
        self.integrationID = integrationID
        self.connectionID = connectionID
        self.coalesceKey = coalesceKey
        self.payload = payload
        self.runAt = runAt
        self.maxAttempts = maxAttempts
        self.repeatEvery = repeatEvery
        self.source = source
        self.replayOf = replayOf
    }

    /// A request whose payload is `value` encoded as JSON.
    public init<Payload: Encodable>(kind: String, tenant: String = defaultTenant, integrationID: String? = nil, connectionID: String? = nil, coalesceKey: String? = nil, payload value: Payload, runAt: Date = Date(), maxAttempts: Int = 8, repeatEvery: Duration? = nil, source: TriggerSource = .manual) throws {
        self.init(kind: kind, tenant: tenant, integrationID: integrationID, connectionID: connectionID, coalesceKey: coalesceKey, payload: try jsonText(value), runAt: runAt, maxAttempts: maxAttempts, repeatEvery: repeatEvery, source: source)
    }
}

/// A job as stored.
public struct JobRecord: Sendable, Codable, Equatable {
    public var id: String
    public var tenant: String
    public var kind: String
    public var integrationID: String?
    public var connectionID: String?
    public var coalesceKey: String?
    public var payload: String
    public var state: JobState
    /// Attempts started so far (a claim counts as one, also one that died with its worker).
    public var attempts: Int
    /// Attempts that failed and were scheduled again: what the retry backoff grows with (a
    /// claim lost with its worker is an attempt, not a failure).
    public var failures: Int
    /// Failures it may have before it becomes a dead letter.
    public var maxAttempts: Int
    public var runAt: Date
    public var leaseUntil: Date?
    public var worker: String?
    public var lastError: String?
    /// How many later requests were folded into this job.
    public var mergedCount: Int
    public var repeatEveryMs: Int64?
    public var replayOf: String?
    public var source: TriggerSource
    public var createdAt: Date
    public var updatedAt: Date

    /// Decodes the payload.
    public func decodePayload<Payload: Decodable>(_ type: Payload.Type) throws -> Payload {
        do {
            return try JSONDecoder.store.decode(type, from: Data(payload.utf8))
        } catch {
            throw ConnectorError.permanent("job \(id) (\(kind)) has a payload that is not a \(Payload.self): \(error)")
        }
    }
}

/// A job a worker holds: the record and the fencing token of this claim. Every later write for
/// the attempt names the token, so a worker whose lease ran out cannot complete a job that
/// another worker has claimed since.
public struct JobClaim: Sendable {
    /// The claimed job (attempts already counts this attempt).
    public var job: JobRecord
    /// Unique to this claim.
    public var token: String
}

/// A claimed job's successful end: what `completeJobs` stores for it.
public struct JobCompletion: Sendable {
    /// The claim that ran.
    public var claim: JobClaim
    /// The store writes the handler asked for, made with the completion.
    public var writes: [StoreWrite]
    /// The attempt's audit entry.
    public var audit: AuditEntry
    /// When the attempt ended.
    public var now: Date

    /// Creates a completion.
    public init(claim: JobClaim, writes: [StoreWrite], audit: AuditEntry, now: Date) {
        self.claim = claim
        self.writes = writes
        self.audit = audit
        self.now = now
    }
}

/// What `enqueue` did.
public struct EnqueueResult: Sendable, Equatable {
    /// The job that will run the work.
    public var jobID: String
    /// True when the request was folded into a job already pending for the same key.
    public var merged: Bool
}

/// A job that ran out of attempts or failed for good, with all it needs to run again.
public struct DeadLetter: Sendable, Codable, Equatable {
    public var id: String
    public var jobID: String
    public var tenant: String
    public var kind: String
    public var integrationID: String?
    public var connectionID: String?
    public var coalesceKey: String?
    public var payload: String
    public var attempts: Int
    public var error: String
    /// The `ConnectorError` case name, or `error` for anything else.
    public var errorKind: String
    public var createdAt: Date
    public var replayedAt: Date?
    public var replayJobID: String?
}

/// A write that lands in the same transaction as the job completion that produced it.
public enum StoreWrite: Sendable {
    /// Schedule follow-up work.
    case enqueue(JobRequest)
    /// Advance a watermark.
    case setCursor(connectionID: String, feed: String, value: String)
    /// Record what a source record produced.
    case upsertLink(Link)
    /// Forget a link (the target was deleted).
    case removeLink(integrationID: String, source: ExternalRef, target: ExternalRef)
    /// Add an audit entry besides the attempt's own.
    case appendAudit(AuditEntry)
    /// Confirm an intent: the effect it announced exists (as `targetRef`, when it has one).
    case closeIntent(integrationID: String, key: String, targetRef: String?)
}
