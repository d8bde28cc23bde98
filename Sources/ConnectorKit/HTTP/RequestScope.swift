/// What a caller of the pipeline (an interactive command) sets around its requests: an overall
/// deadline that no attempt or retry wait may pass, and an observer told of every retry wait,
/// so that a person at a terminal never watches a silent hang.
///
/// Both are task-local: set them with `RequestScope.withDeadline(after:observer:_:)` around any
/// code that sends through an `HTTPPipeline`; jobs run without them and keep the per-request
/// timeouts and retry budget of their provider.
public enum RequestScope {
    /// The instant by which every request sent in this task must have finished.
    @TaskLocal public static var deadline: ContinuousClock.Instant?
    /// The overall timeout the deadline was made from, for the error that names it.
    @TaskLocal public static var timeout: Duration?
    /// Told before the pipeline waits to try a request again.
    @TaskLocal public static var retryObserver: (@Sendable (RetryNotice) -> Void)?

    /// Runs `operation` with a deadline `timeout` from now and, when given, a retry observer.
    public static func withDeadline<Result>(
        after timeout: Duration,
        observer: (@Sendable (RetryNotice) -> Void)? = nil,
        _ operation: () async throws -> Result
    ) async rethrows -> Result {
        try await $deadline.withValue(ContinuousClock.now + timeout) {
            try await $timeout.withValue(timeout) {
                try await $retryObserver.withValue(observer ?? retryObserver, operation: operation)
            }
        }
    }

    /// The time left before the deadline, or nil without one.
    static var remaining: Duration? {
        deadline.map { $0 - ContinuousClock.now }
    }
}

/// One wait the pipeline is about to make before trying a request again.
public struct RetryNotice: Sendable, Equatable, CustomStringConvertible {
    /// The vendor.
    public var system: SystemKind
    /// The request's method and path (no host, no query: the query may carry secrets).
    public var endpoint: String
    /// The vendor's name as its users write it (`FreshBooks`).
    public var vendor: String
    /// The status that caused the retry; nil when no answer came (timeout, connection failure).
    public var status: Int?
    /// The number of the coming retry, from 1.
    public var retry: Int
    /// The most retries the provider's policy allows.
    public var maxRetries: Int
    /// How long the pipeline waits first.
    public var wait: Duration

    /// Describes a wait.
    public init(system: SystemKind, vendor: String? = nil, endpoint: String, status: Int?, retry: Int, maxRetries: Int, wait: Duration) {
        self.system = system
        self.vendor = vendor ?? system.rawValue
        self.endpoint = endpoint
        self.status = status
        self.retry = retry
        self.maxRetries = maxRetries
        self.wait = wait
    }

    /// "FreshBooks answered 503; retry 2 of 4 in 3 s".
    public var description: String {
        let what = status.map { "answered \($0)" } ?? "did not answer"
        return "\(vendor) \(what); retry \(retry) of \(maxRetries) in \(wait.roundedUpSeconds) s"
    }
}
