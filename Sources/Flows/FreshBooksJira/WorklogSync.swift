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
        let previous = try await links(from: source).first { $0.target.type == JiraRecord.worklog.rawValue }
        let entry: TimeEntry?
        if deleted {
            entry = nil
        } else if let carried = event.record(as: TimeEntry.self, currentAt: context.now) {
            entry = carried
        } else {
            do { entry = try await freshbooks.timeEntry(id: entryID) } catch ConnectorError.notFound(_) { entry = nil }
        }
        guard let entry else {
            guard let previous, let target = Self.worklogTarget(previous.target) else {
                return JobOutcome(sourceRef: source.description, unchanged: true, action: "time entry gone; no worklog")
            }
            try await deleteWorklog(issue: target.issue, id: target.worklog)
            return JobOutcome(writes: [.removeLink(integrationID: integration.id, source: source, target: previous.target)], sourceRef: source.description,
                              targetRef: previous.target.description, action: "delete worklog \(target.worklog) on \(target.issue)")
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
        let marker = FreshBooksJiraMapping.worklogMarker(accountID: accountID, entryID: entryID)
        let (worklog, confirm) = try await context.intents.create(FreshBooksJiraIntentKey.worklog(accountID: accountID, entryID: entryID),
            target: { Self.worklogRef(issue: issue, id: $0.id) },
            lookUp: { try await jira.worklogs(issue: issue).collect().first { FreshBooksJiraMapping.isMarked($0.comment?.plainText, by: marker) } },
            make: { try await jira.addWorklog(issue: issue, draft) })
        let target = Self.worklogRef(issue: issue, id: worklog.id)
        var writes = [confirm, newLink(source, target, hash: hash, previous: nil)]
        if let previous, previous.target != target { writes.insert(.removeLink(integrationID: integration.id, source: source, target: previous.target), at: 0) }
        return JobOutcome(writes: writes, sourceRef: source.description, targetRef: target.description, action: "log \(entry.duration) s on \(issue)")
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
