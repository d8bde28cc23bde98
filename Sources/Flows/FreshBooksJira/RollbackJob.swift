import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Jira
import Store

/// Undoes what one FreshBooks record made in Jira: its issues are deleted (or, where the
/// configuration says deleting is not allowed, moved to `rollback.transition_to` and stripped
/// of their tracking label, so a replay makes a fresh one), its worklog deleted, its links
/// removed. Running it again finds no links and does nothing.
public struct FreshBooksJiraRollbackJob: JobHandler {
    public let kind = Rollback.kind(forIntegrationKind: FreshBooksJiraConfig.kind)
    let pipeline: HTTPPipeline

    /// Creates the handler.
    public init(pipeline: HTTPPipeline) {
        self.pipeline = pipeline
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Rollback.Payload.self)
        let integration = try await context.integration(of: job)
        let session = try await FreshBooksJiraSession(integration: integration, context: context, pipeline: pipeline, consistency: .standard)
        return try await session.rollback(source: payload.source, of: payload.job)
    }
}

extension FreshBooksJiraSession {
    func rollback(source: ExternalRef, of jobID: String) async throws -> JobOutcome {
        let made = try await links(from: source)
        guard !made.isEmpty else { return JobOutcome(sourceRef: source.description, unchanged: true, action: "rollback of job \(jobID): nothing left to undo") }
        var (writes, actions) = try await undoWorklogs(of: source, made)
        for link in made.sorted(by: { $0.target < $1.target }) where link.target.type == JiraRecord.issue.rawValue {
            actions.append(try await undoIssue(link.target.id))
            writes.append(.removeLink(integrationID: integration.id, source: source, target: link.target))
        }
        return JobOutcome(writes: writes, sourceRef: source.description, targetRef: made.first?.target.description,
                          action: "rollback of job \(jobID): " + actions.joined(separator: "; "))
    }

    /// Deletes the issue, or transitions it and removes its label; one already gone is done.
    private func undoIssue(_ id: String) async throws -> String {
        let site = jira.connection.accountRef ?? jira.connection.id
        do {
            let issue = try await jira.issue(id)
            if let status = config.rollback?.transition_to {
                let labels = (issue.fields?.labels ?? []).filter { $0.hasPrefix("mlc-") }
                if issue.fields?.status?.name?.caseInsensitiveCompare(status) != .orderedSame { try await jira.transition(issue.key, to: status) }
                if !labels.isEmpty { try await jira.editIssue(issue.key, IssueDraft(), removeLabels: labels) }
                await JiraCreatedIssues.shared.forgetIssue(issue.key, site: site)
                return "move issue \(issue.key) to \(status)"
            }
            try await jira.deleteIssue(issue.key)
            await JiraCreatedIssues.shared.forgetIssue(issue.key, site: site)
            return "delete issue \(issue.key)"
        } catch ConnectorError.notFound(_) {
            return "issue \(id) already gone"
        }
    }
}
