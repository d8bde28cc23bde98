/// What `eventually` throws when its condition never held: what was awaited, for how long, and
/// what the test's diagnostics said at that moment.
public struct EventuallyTimedOut: Error, CustomStringConvertible {
    /// What the test was waiting for, in its own words.
    public let awaited: String
    /// How long it waited.
    public let timeout: Duration
    /// What the diagnostics closure said when time ran out, if the test gave one.
    public let diagnostics: String?

    public var description: String {
        "timed out after \(timeout) waiting for \(awaited)" + (diagnostics.map { "; \($0)" } ?? "")
    }
}

/// Asks `condition` again every `interval` until it holds; throws `EventuallyTimedOut` naming
/// `awaited` once `timeout` has passed, with the text of `diagnostics` (say, the recent audit
/// trail) when given. Wait on a record the sandbox or the store keeps, never on time alone.
public func eventually(
    _ awaited: String,
    timeout: Duration = .seconds(15),
    interval: Duration = .milliseconds(50),
    isolation: isolated (any Actor)? = #isolation,
    diagnostics: (() async throws -> String)? = nil,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            var said: String?
            if let diagnostics {
                do { said = try await diagnostics() } catch { said = "diagnostics failed: \(error)" }
            }
            throw EventuallyTimedOut(awaited: awaited, timeout: timeout, diagnostics: said)
        }
        try await Task.sleep(for: interval)
    }
}
