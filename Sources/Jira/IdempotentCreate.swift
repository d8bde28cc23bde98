import ConnectorKit
import Foundation

/// How long to let search catch up before concluding an issue is not there: Jira's search is
/// eventually consistent, so a just-created issue can be missing for a while (digest 3.4).
public struct SearchConsistency: Sendable, Equatable {
    /// Searches made at most.
    public var attempts: Int
    /// The wait after the first empty search; each next wait doubles.
    public var firstWait: Duration

    /// Describes the wait.
    public init(attempts: Int, firstWait: Duration) {
        self.attempts = max(1, attempts)
        self.firstWait = firstWait
    }

    /// Five searches over about three seconds.
    public static let standard = SearchConsistency(attempts: 5, firstWait: .milliseconds(200))
}

/// Issues this process created, by idempotency label: the local record that covers the window in
/// which search does not show an issue yet. Search is the record that outlives the process, so
/// only the newest `capacity` labels are kept: a server that runs for months does not grow it.
public actor JiraCreatedIssues {
    /// The record every client in the process shares.
    public static let shared = JiraCreatedIssues()

    /// Labels kept at most; the oldest are forgotten first.
    public let capacity: Int
    private var keys: [String: (issueKey: String, serial: Int)] = [:]
    /// Labels in the order they were recorded, with the serial that recorded them.
    private var order: [(label: String, serial: Int)] = []
    private var serial = 0

    /// Creates an empty record (tests use their own).
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// The issue created under `label` (prefixed by its site), if this process created one and
    /// still remembers it.
    public func issueKey(for label: String) -> String? { keys[label]?.issueKey }

    /// How many labels are remembered.
    public var count: Int { keys.count }

    /// Records a create that answered, forgetting the oldest labels past `capacity`.
    public func record(_ label: String, issueKey: String) {
        serial += 1
        keys[label] = (issueKey, serial)
        order.append((label, serial))
        guard order.count > capacity else { return }
        // Forget a quarter at once, so that recording stays cheap on average.
        let dropped = order.prefix(max(1, capacity / 4) + order.count - capacity)
        for old in dropped where keys[old.label]?.serial == old.serial { keys[old.label] = nil }
        order.removeFirst(dropped.count)
    }

    /// Forgets a label whose issue is gone.
    public func forget(_ label: String) { keys[label] = nil }

    /// Forgets an issue of site `site` (a connection's account) that was deleted or stripped
    /// of its label (a rollback).
    public func forgetIssue(_ issueKey: String, site: String) { keys = keys.filter { !($0.key.hasPrefix(site + "|") && $0.value.issueKey == issueKey) } }
}

extension JiraClient {
    /// The label that marks the issue created for idempotency key `key`: `mlc-<key>`, in the
    /// characters a label may hold (no spaces), hashed when the key has others or is long.
    public static func idempotencyLabel(_ key: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard key.count <= 200, key.allSatisfy({ allowed.contains($0) }) else { return "mlc-" + Signature.sha256Hex(key).prefix(32) }
        return "mlc-" + key
    }

    /// Creates an issue exactly once for `key`: the issue carries the label `mlc-<key>` (entity
    /// properties are not searchable by JQL, digest 3.5), and before any re-create after an
    /// uncertain attempt the label is looked up, in this process's record and then by JQL while
    /// search catches up. `previousAttemptUncertain` is true when an earlier attempt recorded
    /// its intent and may have created the issue.
    public func createIssue(_ draft: IssueDraft, key: String, previousAttemptUncertain: Bool, consistency: SearchConsistency = .standard,
                            record: JiraCreatedIssues = .shared, custom: [String] = []) async throws -> JiraIssue {
        let label = Self.idempotencyLabel(key)
        // One process may serve several sites: the record is kept per site.
        let recorded = "\(connection.accountRef ?? connection.id)|\(label)"
        if let known = await record.issueKey(for: recorded) {
            do {
                let found = try await issue(known, custom: custom)
                if found.hasLabel(label) { return found }
                await record.forget(recorded)
            } catch ConnectorError.notFound {
                await record.forget(recorded)
            }
        }
        if previousAttemptUncertain, let existing = try await findIssue(label: label, consistency: consistency, custom: custom) {
            await record.record(recorded, issueKey: existing.key)
            return existing
        }
        var draft = draft
        draft.labels = (draft.labels ?? []) + [label]
        let created: CreatedIssue
        do {
            created = try await send(.POST, "/issue", body: IssueUpdateBody(fields: draft, update: nil), as: CreatedIssue.self)
        } catch let error as ConnectorError where error.mayHaveBeenApplied {
            if let existing = try await findIssue(label: label, consistency: consistency, custom: custom) {
                await record.record(recorded, issueKey: existing.key)
                return existing
            }
            throw error
        }
        await record.record(recorded, issueKey: created.key)
        return try await issue(created.key, custom: custom)
    }

    /// The oldest issue carrying `label`, searching up to `consistency.attempts` times. What
    /// search answers may be stale (an issue deleted, or its label removed, a moment ago), so a
    /// hit is read back and counts only if the issue still carries the label.
    public func findIssue(label: String, consistency: SearchConsistency = .standard, custom: [String] = []) async throws -> JiraIssue? {
        var wait = consistency.firstWait
        for attempt in 1...consistency.attempts {
            let found = try await search(jql: "labels = \"\(label)\" ORDER BY created ASC", fields: ["labels"], pageSize: 10).collect()
            for candidate in found where candidate.hasLabel(label) {
                do {
                    let current = try await issue(candidate.key, custom: custom)
                    if current.hasLabel(label) { return current }
                } catch ConnectorError.notFound {
                    continue
                }
            }
            if attempt < consistency.attempts {
                try await Task.sleep(for: wait)
                wait = wait * 2
            }
        }
        return nil
    }
}
