import ConnectorKit
import Foundation
import Synchronization

/// What an API call made during a play was for, as the demo summary splits them.
public enum CallPurpose: String, CaseIterable, Sendable {
    /// `integration apply`: identity, workspace, team, custom field and account checks.
    case setUp = "set-up"
    /// The integration's reads while it syncs.
    case reads
    /// The integration's writes while it syncs.
    case writes
    /// Registering, confirming and checking webhooks.
    case webhookUpkeep = "webhook-upkeep"
    /// The play acting as people in the vendors' apps (creating projects and tasks, sending an invoice).
    case people
}

/// Sorts the API calls a play's sandboxes answer into `CallPurpose`s: the play names the calls
/// it makes as people and the spans that are set-up; webhook routes are upkeep; every other
/// call is the integration's read (GET) or write.
public final class CallLedger: Sendable {
    private struct State {
        var start: [String: Int]
        var setUp: [String: Int] = [:]
        var people: [String: Int] = [:]
    }

    private let counts: @Sendable () -> [String: Int]
    private let state: Mutex<State>

    /// A ledger from now on; `counts` answers the calls so far by `"<system> <METHOD> <path>"`.
    public init(counts: @escaping @Sendable () -> [String: Int]) {
        self.counts = counts
        state = Mutex(State(start: counts()))
    }

    /// The calls so far of each sandbox, keyed as the ledger reads them.
    public static func routes(_ bySystem: [(SystemKind, [String: Int])]) -> [String: Int] {
        var keyed: [String: Int] = [:]
        for (system, routes) in bySystem { for (route, count) in routes { keyed["\(system.rawValue) \(route)", default: 0] += count } }
        return keyed
    }

    /// Runs `body` and counts every call made meanwhile (webhook routes aside) as set-up.
    public func setUp<T>(_ body: () async throws -> T) async rethrows -> T {
        let before = counts()
        let result = try await body()
        let after = counts()
        state.withLock { state in
            for (route, count) in after where !Self.isWebhookRoute(route) { state.setUp[route, default: 0] += count - before[route, default: 0] }
        }
        return result
    }

    /// Runs one call the play makes as a person in `system`'s app.
    public func asPerson<T>(_ system: SystemKind, _ body: () async throws -> T) async rethrows -> T {
        let result = try await body()
        state.withLock { $0.people[system.rawValue, default: 0] += 1 }
        return result
    }

    /// Calls since the ledger began, by system, then by purpose.
    public func purposes() -> [String: [String: Int]] {
        let now = counts()
        return state.withLock { state in
            var split: [String: [String: Int]] = [:]
            for (route, count) in now {
                let made = count - state.start[route, default: 0]
                guard made > 0, let system = route.split(separator: " ").first.map(String.init) else { continue }
                let setUp = state.setUp[route, default: 0]
                let purpose: CallPurpose = Self.isWebhookRoute(route) ? .webhookUpkeep : route.contains(" GET ") ? .reads : .writes
                split[system, default: [:]][purpose.rawValue, default: 0] += made - setUp
                if setUp > 0 { split[system, default: [:]][CallPurpose.setUp.rawValue, default: 0] += setUp }
            }
            // The play's own calls are all writes (creates, completions, sending); they are moved out of the integration's.
            for (system, count) in state.people {
                split[system, default: [:]][CallPurpose.writes.rawValue, default: 0] -= count
                split[system, default: [:]][CallPurpose.people.rawValue] = count
            }
            return split.mapValues { $0.filter { $0.value != 0 } }
        }
    }

    /// Asana `/webhooks…`, FreshBooks `/events/…/callbacks…`.
    static func isWebhookRoute(_ route: String) -> Bool {
        route.contains("/webhooks") || route.contains("/callbacks")
    }
}
