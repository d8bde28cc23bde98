import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Jira
import Store

/// The FreshBooks → Jira integration as the registry sees it: its configuration, live checks
/// (project, issue types, amount field, named issues), handlers and schedules.
public struct FreshBooksJiraIntegration: Integration {
    public typealias Configuration = FreshBooksJiraConfig

    /// How long the handlers let Jira search catch up after an uncertain create.
    let consistency: SearchConsistency

    /// Creates the integration kind.
    public init(consistency: SearchConsistency = .standard) {
        self.consistency = consistency
    }

    public var kind: String { FreshBooksJiraConfig.kind }

    public var roles: [String: SystemKind] { ["freshbooks": .freshbooks, "jira": .jira] }

    /// The FreshBooks records whose changes are watched, polled and subscribed to.
    static let polled: [FreshBooksResource] = [.invoices, .bills, .payments, .expenses, .timeEntries]
    /// The FreshBooks webhook events subscribed to (digest A7); `invoice.update` carries a failed autobill.
    public static let events = ["invoice.create", "invoice.update", "bill.create", "payment.create", "payment.update", "expense.create", "time_entry.create", "time_entry.update", "time_entry.delete"]

    public func validate(_ config: FreshBooksJiraConfig, connections: [String: Connection], context: IntegrationContext) async throws -> [String] {
        guard let jiraConnection = connections["jira"], let freshbooksConnection = connections["freshbooks"] else {
            throw ConnectorError.validation(field: "connections", message: "give a freshbooks and a jira connection")
        }
        let jira = JiraClient(pipeline: context.pipeline, connection: jiraConnection)
        var lines: [String] = []
        let projects = try await jira.projects().collect()
        guard let project = projects.first(where: { $0.key == config.jira.project }) else {
            throw ConnectorError.validation(field: "jira.project", message: "'\(config.jira.project)' is not a project this connection sees; it sees: \(projects.map(\.key).joined(separator: ", "))")
        }
        lines.append("project \(project.key) = \"\(project.name)\"")
        let types = try await jira.issueTypes()
        for (event, name) in config.jira.issue_types.sorted(by: { $0.key < $1.key }) {
            guard types.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame || $0.id == name }) else {
                throw ConnectorError.validation(field: "jira.issue_types.\(event)", message: "'\(name)' is not an issue type of this site; it has: \(types.map(\.name).joined(separator: ", "))")
            }
        }
        lines.append("issue types: \(config.jira.issue_types.count) found")
        if let name = config.jira.amount_field {
            let field: JiraField
            do { field = try await jira.field(named: name) } catch let ConnectorError.validation(_, message) {
                throw ConnectorError.validation(field: "jira.amount_field", message: message)
            }
            guard field.schema?.type == "number" else {
                throw ConnectorError.validation(field: "jira.amount_field", message: "'\(field.name)' (\(field.id)) holds \(field.schema?.type ?? "?"), not a number; name a number field")
            }
            lines.append("amount field \(field.id) = \"\(field.name)\"")
        }
        for (key, issue) in config.namedIssues {
            do { _ = try await jira.issue(issue) } catch ConnectorError.notFound(_) {
                throw ConnectorError.validation(field: key, message: "issue \(issue) does not exist or this connection cannot see it")
            }
        }
        // The FreshBooks side answers, and reaches the business the connection names.
        _ = try await FreshBooksClient(pipeline: context.pipeline, connection: freshbooksConnection).teamMembers()
        return lines
    }

    /// Polls of FreshBooks invoices, bills, payments, expenses and time entries (the guarantee
    /// behind webhooks), the check of linked time entries for deletions, and FreshBooks webhooks when the server has a public URL.
    public func schedules(_ config: FreshBooksJiraConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async throws -> [ScheduledJob] {
        guard let freshbooks = connections["freshbooks"] else { throw ConnectorError.validation(field: "connections.freshbooks", message: "is required") }
        let interval = try config.pollInterval()
        var jobs = try Self.polled.map { resource in
            ScheduledJob(try PollJob.schedule(connection: freshbooks, feed: resource.rawValue, every: interval, startingAt: context.now),
                         "poll freshbooks \(resource.rawValue) every \(interval.components.seconds)s")
        }
        // A deleted time entry leaves no trace in the lists polled: linked entries are read back.
        jobs.append(ScheduledJob(try FreshBooksJiraDeletedEntriesJob.schedule(integration: record, freshbooks: freshbooks, every: interval, startingAt: context.now),
                                 "check linked freshbooks time entries for deletions every \(interval.components.seconds)s"))
        if let publicURL = context.catalog.publicURL {
            jobs.append(ScheduledJob(try WebhookUpkeepJob.schedule(connection: freshbooks, publicURL: publicURL, startingAt: context.now), "freshbooks webhooks at \(publicURL)"))
            // Jira's dynamic webhooks die after 30 days: the hourly upkeep refreshes them well before.
            if config.jira.notice_deleted == true, let jira = connections["jira"] {
                jobs.append(ScheduledJob(try WebhookUpkeepJob.schedule(connection: jira, publicURL: publicURL, startingAt: context.now), "jira webhook on project \(config.jira.project) at \(publicURL)"))
            }
        }
        return jobs
    }

    /// FreshBooks: the finance and time events. Jira: the project's issue events when deleted
    /// tracking issues are to be noticed.
    public func webhooks(_ config: FreshBooksJiraConfig, record: IntegrationRecord, role: String, connections: [String: Connection], context: IntegrationContext) async throws -> [WantedSubscription] {
        switch role {
        case "freshbooks": return Self.events.map { WantedSubscription(resource: $0) }
        case "jira" where config.jira.notice_deleted == true: return [WantedSubscription(resource: "project = \(config.jira.project)", filter: "issues")]
        default: return []
        }
    }

    public func handlers(pipeline: HTTPPipeline) -> [any JobHandler] {
        [FreshBooksJiraChangeJob(pipeline: pipeline, consistency: consistency), FreshBooksJiraRollbackJob(pipeline: pipeline), FreshBooksJiraUnlinkJob(),
         FreshBooksJiraDeletedEntriesJob(pipeline: pipeline)]
    }

    /// The issues and worklogs made so far.
    public func details(_ config: FreshBooksJiraConfig, record: IntegrationRecord, connections: [String: Connection], context: IntegrationContext) async -> [String: String] {
        guard let links = try? await context.store.links(integrationID: record.id) else { return [:] }
        return ["issues made": "\(links.filter { $0.target.type == JiraRecord.issue.rawValue }.count)",
                "worklogs made": "\(links.filter { $0.target.type == JiraRecord.worklog.rawValue }.count)"]
    }
}
