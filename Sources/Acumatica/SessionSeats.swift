import ConnectorKit

extension SettingKey {
    /// How many API-user seats this process may hold at once for the connection (its cookie
    /// sessions); 1 unless set, at most 50. The licence's own limit is shared with every other
    /// process and person signed in through the API.
    public static let acumaticaSessions = SettingKey("sessions")
}

/// The API-user seats each connection may hold in this process. A cookie session takes a seat
/// from sign-in to sign-out, and Acumatica refuses a sign-in past the licence's limit ("API
/// Login Limit") until an idle session times out, about 20 minutes later: so the jobs, the
/// roster report and the demo of one process wait here for a seat instead of signing in past
/// the limit and failing.
actor SessionSeats {
    /// The seats of this process.
    static let shared = SessionSeats()

    private var held: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// The seats a connection may hold: its `sessions` setting within 1...50, else 1.
    static func limit(of connection: Connection) -> Int {
        connection[setting: .acumaticaSessions].flatMap { Int($0) }.map { min(max($0, 1), 50) } ?? 1
    }

    /// Takes one of `connection`'s seats, waiting for one to be given back when all are held.
    func take(_ connection: String, limit: Int) async {
        if held[connection, default: 0] < limit {
            held[connection, default: 0] += 1
            return
        }
        // A seat given back is handed straight to the first waiter: the count stays as it is.
        await withCheckedContinuation { waiting[connection, default: []].append($0) }
    }

    /// Gives a seat back: to the first waiter, if any.
    func giveBack(_ connection: String) {
        if var queue = waiting[connection], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[connection] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            held[connection] = max(0, held[connection, default: 1] - 1)
        }
    }
}
