import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Jira
import Store

extension FreshBooksJiraSession {
    /// A time entry → its worklog: added once (found by its marker after an uncertain
    /// attempt), updated when its start, length or note change, deleted with the entry.
    func syncWorklog(entryID: Int, deleted: Bool, event: ChangeEvent) async throws -> JobOutcome {
        let source = ExternalRef.freshbooks(.timeEntry, entryID)
        let made = try await links(from: source)
        let previous = made.first { $0.target.type == JiraRecord.worklog.rawValue }
        let entry: TimeEntry?
        if deleted {
            entry = nil
        } else if let carried = event.record(as: TimeEntry.self, currentAt: context.now) {
            entry = carried
        } else {
            do { entry = try await freshbooks.timeEntry(id: entryID) } catch ConnectorError.notFound(_) { entry = nil }
        }
        guard let entry else {
            let undone = try await undoWorklogs(of: source, made)
            guard !undone.writes.isEmpty || !undone.actions.isEmpty else { return JobOutcome(sourceRef: source.description, unchanged: true, action: "time entry gone; no worklog") }
            return JobOutcome(writes: undone.writes, sourceRef: source.description, targetRef: previous?.target.description,
                              action: undone.actions.isEmpty ? "time entry gone; no worklog" : undone.actions.joined(separator: "; "))
        }
        let draft = try FreshBooksJiraMapping.worklog(entry, accountID: accountID)
        let hash = FreshBooksJiraMapping.contentHash(draft)
        if let previous, previous.contentHash == hash { return JobOutcome(sourceRef: source.description, targetRef: previous.target.description, unchanged: true, action: "worklog unchanged") }
        if let previous, let target = Self.worklogTarget(previous.target) {
            do {
                _ = try await jira.updateWorklog(issue: target.issue, id: target.worklog, draft)
                return JobOutcome(writes: [newLink(source, previous.target, hash: hash, previous: previous)], sourceRef: source.description,
                                  targetRef: previous.target.description, action: "update worklog \(target.worklog) on \(target.issue)")
            } catch ConnectorError.notFound(_) {
                // Deleted in Jira (or rolled back): logged again below.
            }
        }
        guard let issue = FreshBooksJiraMapping.worklogIssue(note: entry.note, projectID: entry.project_id, projectKey: config.jira.project, worklogs: config.worklogs) else {
            return JobOutcome(sourceRef: source.description, unchanged: true, action: "ignored: no issue for time entry \(entryID) (no key in its note, no project issue, no default)")
        }
        let key = FreshBooksJiraIntentKey.worklog(accountID: accountID, entryID: entryID)
        // The issue this attempt logs on is recorded before the call: a later attempt looks
        // there too (the entry's note may name another issue by then).
        let (start, aims) = try await context.intents.begin(key, aim: .jira(.issue, issue))
        var earlier: JiraWorklog?
        if start.needsLookUp {
            // Where an earlier attempt may have logged it: the issues it aimed at, the link's,
            // the intent's, and the configured ones.
            let intended: String? = switch start {
            case .uncertain(let ref), .done(let ref): ref
            case .first: nil
            }
            let recorded = [previous?.target, intended.flatMap(ExternalRef.init(parsing:))].compactMap { $0.flatMap(Self.worklogTarget)?.issue }
            let configured = [entry.project_id.flatMap { config.worklogs?.project_issues?[String($0)] }, config.worklogs?.default_issue].compactMap { $0 }
            earlier = try await earlierWorklog(entryID: entryID, on: issue, elsewhere: Self.aimedIssues(aims) + recorded + configured)
            if let found = earlier { _ = try await jira.updateWorklog(issue: issue, id: found.id, draft) }
        }
        let worklog = if let earlier { earlier } else { try await jira.addWorklog(issue: issue, draft) }
        let target = Self.worklogRef(issue: issue, id: worklog.id)
        var writes = [context.intents.done(key, target: target), newLink(source, target, hash: hash, previous: nil)]
        if let previous, previous.target != target { writes.insert(.removeLink(integrationID: integration.id, source: source, target: previous.target), at: 0) }
        return JobOutcome(writes: writes, sourceRef: source.description, targetRef: target.description, action: "log \(entry.duration) s on \(issue)")
    }

    /// The worklog an earlier attempt made for the entry, kept when it is on `issue`; one made
    /// on another issue (the note named another then) is deleted, so the caller logs it on
    /// `issue`. Looked for on `issue`, then on `elsewhere`.
    func earlierWorklog(entryID: Int, on issue: String, elsewhere: [String]) async throws -> JiraWorklog? {
        if let found = try await markedWorklog(entryID: entryID, on: issue) { return found }
        var searched: Set<String> = [issue]
        for other in elsewhere where searched.insert(other).inserted {
            if let stray = try await markedWorklog(entryID: entryID, on: other) { try await deleteWorklog(issue: other, id: stray.id) }
        }
        return nil
    }

    /// The worklog on `issue` whose comment carries the entry's marker; nil when the issue is gone.
    func markedWorklog(entryID: Int, on issue: String) async throws -> JiraWorklog? {
        let marker = FreshBooksJiraMapping.worklogMarker(accountID: accountID, entryID: entryID)
        do {
            return try await jira.worklogs(issue: issue).collect().first { FreshBooksJiraMapping.isMarked($0.comment?.plainText, by: marker) }
        } catch ConnectorError.notFound(_) {
            return nil
        }
    }

    /// Deletes a time entry's linked worklog, and any an unconfirmed attempt left on another
    /// issue it aimed at, and drops the links (the entry is gone, or rolled back).
    func undoWorklogs(of source: ExternalRef, _ links: [Link]) async throws -> (writes: [StoreWrite], actions: [String]) {
        var writes: [StoreWrite] = []
        var actions: [String] = []
        var linkedIssues: Set<String> = []
        for link in links where link.target.type == JiraRecord.worklog.rawValue {
            guard let target = Self.worklogTarget(link.target) else { continue }
            try await deleteWorklog(issue: target.issue, id: target.worklog)
            actions.append("delete worklog \(target.worklog) on \(target.issue)")
            linkedIssues.insert(target.issue)
            writes.append(.removeLink(integrationID: integration.id, source: source, target: link.target))
        }
        if source.type == FreshBooksRecord.timeEntry.rawValue, let entryID = Int(source.id) {
            let aims = try await context.intents.aims(FreshBooksJiraIntentKey.worklog(accountID: accountID, entryID: entryID))
            for issue in Self.aimedIssues(aims) where !linkedIssues.contains(issue) {
                if let stray = try await markedWorklog(entryID: entryID, on: issue) {
                    try await deleteWorklog(issue: issue, id: stray.id)
                    actions.append("delete worklog \(stray.id) on \(issue)")
                }
            }
        }
        return (writes, actions)
    }

    /// The Jira issues among an intent's aims.
    static func aimedIssues(_ aims: [ExternalRef]) -> [String] {
        aims.filter { $0.system == .jira && $0.type == JiraRecord.issue.rawValue }.map(\.id)
    }

    /// Deletes a worklog; one already gone is no error.
    func deleteWorklog(issue: String, id: String) async throws {
        do { try await jira.deleteWorklog(issue: issue, id: id) } catch ConnectorError.notFound(_) {}
    }

    /// A worklog's reference carries its issue: `jira:worklog:FIN-3/20001`.
    static func worklogRef(issue: String, id: String) -> ExternalRef { .jira(.worklog, "\(issue)/\(id)") }

    /// The issue and worklog id of a worklog reference.
    static func worklogTarget(_ ref: ExternalRef) -> (issue: String, worklog: String)? {
        let parts = ref.id.split(separator: "/", maxSplits: 1).map(String.init)
        guard ref.type == JiraRecord.worklog.rawValue, parts.count == 2 else { return nil }
        return (parts[0], parts[1])
    }
}

extension FreshBooksJiraMapping {
    /// A digest of what was written, so an unchanged entry writes nothing.
    public static func contentHash<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Signature.sha256Hex(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
    }
}
