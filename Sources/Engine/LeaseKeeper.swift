import Foundation
import Logging
import NIOConcurrencyHelpers
import Store

/// Keeps the leases of a runner's running jobs alive, with one task for all of them rather
/// than a timer per job: a busy queue of short jobs then sets no timer per job, and a job's
/// lease is renewed only once it has run for a third of it.
///
/// The task looks every sixth of the lease and renews each lease a third or more old, so a
/// lease is renewed before half of it has passed. When the store says a claim is gone, or
/// cannot confirm it while the lease runs out, the job is told (`onLost`): its handler is
/// cancelled, its next vendor write is not made, and the store refuses its completion (the
/// claim token fences it). The task ends once no job is held, and starts again with the next.
final class LeaseKeeper: Sendable {
    private struct Held {
        var claim: JobClaim
        var renewed: ContinuousClock.Instant
        var onLost: (@Sendable () -> Void)?
    }

    private struct State {
        var held: [Int: Held] = [:]
        var nextTicket = 0
        var watching = false
    }

    private let store: any Store
    private let lease: Duration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    /// Creates a keeper renewing leases of length `lease` in `store`.
    init(store: any Store, lease: Duration, logger: Logger) {
        self.store = store
        self.lease = lease
        self.logger = logger
    }

    /// Keeps `claim`'s lease (taken or last renewed at `renewed`) until `release`; calls
    /// `onLost` once if it is lost first. Returns the ticket to release it with. A claim held
    /// before its job starts (in the pool's buffer) gets its `onLost` from `attach`.
    func hold(_ claim: JobClaim, renewed: ContinuousClock.Instant, onLost: (@Sendable () -> Void)? = nil) -> Int {
        let (ticket, start) = state.withLockedValue { state in
            let ticket = state.nextTicket
            state.nextTicket += 1
            state.held[ticket] = Held(claim: claim, renewed: renewed, onLost: onLost)
            defer { state.watching = true }
            return (ticket, !state.watching)
        }
        if start { Task { await self.watch() } }
        return ticket
    }

    /// Gives a held claim, whose job now starts, what to do if its lease is lost; false when
    /// it was lost already (taken over while it waited), and the job must not start.
    func attach(_ ticket: Int, onLost: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { state in
            guard state.held[ticket] != nil else { return false }
            state.held[ticket]?.onLost = onLost
            return true
        }
    }

    /// Stops keeping the lease of `ticket`'s claim (the job ended).
    func release(_ ticket: Int) {
        _ = state.withLockedValue { $0.held.removeValue(forKey: ticket) }
    }

    /// How often the task looks: a sixth of the lease, but never so often that a lease of
    /// zero (or less) from a caller turns the task into a spin.
    private var tick: Duration { max(lease / 6, .milliseconds(10)) }

    /// Renews due leases every `tick` until none is held.
    private func watch() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let due: [(Int, Held)]? = state.withLockedValue { state in
                if state.held.isEmpty {
                    state.watching = false
                    return nil
                }
                return state.held.filter { now - $0.value.renewed >= lease / 3 }.map { ($0.key, $0.value) }
            }
            guard let due else { return }
            // Each on its own: one slow heartbeat must not hold back the others' renewals.
            await withTaskGroup(of: Void.self) { group in
                for (ticket, held) in due { group.addTask { await self.renew(ticket, held) } }
            }
        }
    }

    private func renew(_ ticket: Int, _ held: Held) async {
        let kept: Bool
        do {
            kept = try await store.heartbeat(held.claim, lease: lease, now: Date())
        } catch {
            // The lease runs out on its own while the store is unreachable; stop first.
            logger.warning("heartbeat failed", metadata: ["job": "\(held.claim.job.id)", "error": "\(error)"])
            if ContinuousClock.now - held.renewed < lease * 0.8 { return }
            kept = false
        }
        let renewedAt = ContinuousClock.now
        let lost: Held? = state.withLockedValue { state in
            guard state.held[ticket] != nil else { return nil }
            if kept {
                state.held[ticket]?.renewed = renewedAt
                return nil
            }
            return state.held.removeValue(forKey: ticket)
        }
        lost?.onLost?()
    }
}
