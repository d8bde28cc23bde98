import NIOConcurrencyHelpers

/// A first-come, first-served lock for async code: the SQLite backend serialises every use of
/// its one connection through it, so a transaction is never interleaved with another statement.
///
/// Taking a free lock does not suspend: a plain mutex guards the state, and only a task that
/// finds the lock held waits, in arrival order, for the holder to hand it over.
final class AsyncLock: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    /// Runs `body` while holding the lock.
    func withLock<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        let taken = state.withLockedValue { state in
            guard !state.held else { return false }
            state.held = true
            return true
        }
        if taken { return }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let takenNow = state.withLockedValue { state in
                guard state.held else {
                    state.held = true
                    return true
                }
                state.waiters.append(waiter)
                return false
            }
            if takenNow { waiter.resume() }
        }
    }

    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.held = false
                return nil
            }
            // The lock passes straight to the first waiter: it stays held, so no newcomer can
            // take it in between.
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
