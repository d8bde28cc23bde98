import ConnectorKit
import Foundation
import Logging
import Store

/// Runs one kind of job. Handlers fetch what they need, do their writes through the HTTP
/// pipeline, and return the store writes (links, cursors, follow-up jobs) that must land in the
/// same transaction that marks the job done.
public protocol JobHandler: Sendable {
    /// The job kind this handler runs.
    var kind: String { get }

    /// Runs one attempt. Throwing a retryable `ConnectorError` (or any non-connector error)
    /// schedules another attempt; a permanent one sends the job to dead letters.
    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome
}

/// What a handler has at hand for one attempt.
public struct JobContext: Sendable {
    /// The store (for reads; writes go in the outcome).
    public var store: any Store
    /// 1 for the first attempt of this job (a replay or a merged job starts again at 1: never
    /// infer from it whether a write may have happened; ask `intents`).
    public var attempt: Int
    /// The time the attempt started; mapping code takes time from here, not from a clock.
    public var now: Date
    /// A logger with the job's id and kind attached.
    public var logger: Logger
    /// Where uncertain creates and other side effects record their intent first.
    public var intents: Intents

    /// Creates a context; `intents` defaults to the job of `claim` (or none, for tests).
    public init(store: any Store, attempt: Int, now: Date, logger: Logger, claim: JobClaim? = nil) {
        self.store = store
        self.attempt = attempt
        self.now = now
        self.logger = logger
        self.intents = Intents(store: store, claim: claim)
    }
}

/// What one successful attempt did.
public struct JobOutcome: Sendable {
    /// Writes to apply atomically with the completion.
    public var writes: [StoreWrite]
    /// The record the work came from, for the audit trail.
    public var sourceRef: String?
    /// The record written, for the audit trail.
    public var targetRef: String?
    /// True when nothing needed writing (the content hash matched).
    public var unchanged: Bool
    /// What was done, when more specific than the job kind (`create invoice`).
    public var action: String?

    /// Describes an outcome.
    public init(writes: [StoreWrite] = [], sourceRef: String? = nil, targetRef: String? = nil, unchanged: Bool = false, action: String? = nil) {
        self.writes = writes
        self.sourceRef = sourceRef
        self.targetRef = targetRef
        self.unchanged = unchanged
        self.action = action
    }
}

/// The handlers a process runs, by kind.
public struct JobRegistry: Sendable {
    private var handlers: [String: any JobHandler] = [:]

    /// Creates a registry of `handlers`.
    public init(_ handlers: [any JobHandler] = []) {
        for handler in handlers { register(handler) }
    }

    /// Adds (or replaces) the handler of its kind.
    public mutating func register(_ handler: any JobHandler) {
        handlers[handler.kind] = handler
    }

    /// The handler of `kind`.
    public func handler(for kind: String) -> (any JobHandler)? { handlers[kind] }

    /// Every kind this registry runs: workers claim only these.
    public var kinds: Set<String> { Set(handlers.keys) }
}
