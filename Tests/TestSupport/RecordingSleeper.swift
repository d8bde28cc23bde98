import ConnectorKit
import NIOConcurrencyHelpers

/// A sleeper that records each wait and returns at once, so retry tests see the waits the
/// pipeline chose without spending them.
public final class RecordingSleeper: Sleeper {
    private let waits = NIOLockedValueBox<[Duration]>([])

    /// Creates an empty recorder.
    public init() {}

    public func sleep(for duration: Duration) async throws {
        if duration > .zero { waits.withLockedValue { $0.append(duration) } }
        await Task.yield()
    }

    /// Every non-zero wait requested so far.
    public var recorded: [Duration] { waits.withLockedValue { $0 } }
}
