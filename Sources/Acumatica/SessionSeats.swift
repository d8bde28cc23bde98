import ConnectorKit
import Foundation

extension SettingKey {
    /// How many API-user seats this process may hold at once for the connection (its cookie
    /// sessions): a whole number from 1 to 50, 1 unless set. The licence's own limit is shared
    /// with every other process and person signed in through the API.
    public static let acumaticaSessions = SettingKey("sessions")
}

/// The API-user seats each connection may hold in this process. A cookie session takes a seat
/// from sign-in to sign-out, and Acumatica refuses a sign-in past the licence's limit ("API
/// Login Limit") until an idle session times out, about 20 minutes later: so the jobs, the
/// roster report and the demo of one process wait here for a seat instead of signing in past
/// the limit and failing. A wait ends when its task is cancelled or after `longestWait`.
actor SessionSeats {
    /// The seats of this process.
    static let shared = SessionSeats()

    /// The most seats a connection may ask for.
    static let most = 50
    /// How long a job waits for a seat before it gives up with a transient error (and is retried).
    static let longestWait: Duration = .seconds(120)

    private struct Waiter {
        var id: UUID
        var continuation: CheckedContinuation<Void, any Error>
        var timer: Task<Void, Never>
    }

    private var held: [String: Int] = [:]
    private var waiting: [String: [Waiter]] = [:]

    /// The seats a connection may hold: its `sessions` setting, 1 unless set.
    ///
    /// - Throws: `ConnectorError.validation` naming the setting when it is not a whole number
    ///   from 1 to 50 (`connection add` says so instead of the process quietly using 1 or 50).
    static func limit(of connection: Connection) throws -> Int {
        guard let text = connection[setting: .acumaticaSessions] else { return 1 }
        guard let count = Int(text.trimmingCharacters(in: .whitespaces)), (1...most).contains(count) else {
            throw ConnectorError.validation(field: SettingKey.acumaticaSessions.rawValue,
                                            message: "connection \(connection.id): sessions is \"\(text.prefix(40))\"; it is a whole number from 1 to \(most), the API-user seats this process may hold")
        }
        return count
    }

    /// Takes one of `connection`'s seats, waiting for one to be given back when all are held.
    ///
    /// - Throws: `CancellationError` when the task is cancelled while it waits, and
    ///   `ConnectorError.transient` when no seat came free within `wait`.
    func take(_ connection: String, limit: Int, wait: Duration = longestWait) async throws {
        if held[connection, default: 0] < limit {
            held[connection, default: 0] += 1
            return
        }
        let id = UUID()
        // A seat given back is handed straight to the first waiter: the count stays as it is.
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                let timer = Task {
                    try? await Task.sleep(for: wait)
                    guard !Task.isCancelled else { return }
                    self.abandon(id, of: connection, because: ConnectorError.transient(
                        "all \(limit) Acumatica API-user seats of connection \(connection) in this process stayed in use for \(wait.components.seconds) s; raise its sessions setting or try again later"))
                }
                waiting[connection, default: []].append(Waiter(id: id, continuation: continuation, timer: timer))
            }
        } onCancel: {
            Task { await self.abandon(id, of: connection, because: CancellationError()) }
        }
    }

    /// Gives a seat back: to the first waiter, if any.
    func giveBack(_ connection: String) {
        if var queue = waiting[connection], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[connection] = queue.isEmpty ? nil : queue
            next.timer.cancel()
            next.continuation.resume()
        } else {
            held[connection] = max(0, held[connection, default: 1] - 1)
        }
    }

    /// Ends a wait that is still queued (it was cancelled or timed out); a waiter already handed
    /// a seat is left alone.
    private func abandon(_ id: UUID, of connection: String, because error: any Error) {
        guard var queue = waiting[connection], let index = queue.firstIndex(where: { $0.id == id }) else { return }
        let waiter = queue.remove(at: index)
        waiting[connection] = queue.isEmpty ? nil : queue
        waiter.timer.cancel()
        waiter.continuation.resume(throwing: error)
    }

    /// How many tasks wait for a seat of `connection` (for tests).
    func waiters(of connection: String) -> Int { waiting[connection]?.count ?? 0 }
}
