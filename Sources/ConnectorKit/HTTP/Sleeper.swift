/// Waits: the pipeline and engine sleep through this so tests can record the waits instead.
public protocol Sleeper: Sendable {
    /// Suspends for `duration` (or throws on cancellation).
    func sleep(for duration: Duration) async throws
}

/// Sleeps on the task clock.
public struct TaskSleeper: Sleeper {
    /// Creates the real sleeper.
    public init() {}

    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await Task.sleep(for: duration)
    }
}
