import NIOConcurrencyHelpers

/// Collects summaries of the outbound requests made while one piece of work runs, so the job
/// engine can put them in that attempt's audit entry.
///
/// The engine binds a recorder to the task running a job (`ExchangeRecorder.$current`); the HTTP
/// pipeline adds to whichever recorder is bound, so vendor clients need no audit plumbing.
public final class ExchangeRecorder: Sendable {
    /// The recorder bound to the current task, if any.
    @TaskLocal public static var current: ExchangeRecorder?

    private let exchanges = NIOLockedValueBox<[ExchangeSummary]>([])

    /// Creates an empty recorder.
    public init() {}

    /// Adds one exchange.
    public func record(_ exchange: ExchangeSummary) {
        exchanges.withLockedValue { $0.append(exchange) }
    }

    /// Everything recorded so far.
    public var recorded: [ExchangeSummary] {
        exchanges.withLockedValue { $0 }
    }
}
