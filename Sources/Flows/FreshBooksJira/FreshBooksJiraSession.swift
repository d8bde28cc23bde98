import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Jira
import Store

/// The idempotency keys of this integration's writes, spelled once, each derived from the
/// FreshBooks account and record (never the job or attempt).
enum FreshBooksJiraIntentKey {
    /// The issue a finance event makes (its label is `mlc-<key>`).
    static func issue(accountID: String, record: FreshBooksJiraMapping.FinanceRecord) -> String { FreshBooksJiraMapping.issueKey(accountID: accountID, record: record) }
    /// The worklog of a time entry.
    static func worklog(accountID: String, entryID: Int) -> String { "fb-\(accountID)-time_entry-\(entryID)-worklog" }
}

/// One job's view of the integration: its configuration, both clients and the store's links.
struct FreshBooksJiraSession {
    let integration: IntegrationRecord
    let config: FreshBooksJiraConfig
    let context: JobContext
    let freshbooks: FreshBooksClient
    let jira: JiraClient
    let accountID: String
    let consistency: SearchConsistency

    init(integration: IntegrationRecord, context: JobContext, pipeline: HTTPPipeline, consistency: SearchConsistency) async throws {
        self.integration = integration
        self.context = context
        self.consistency = consistency
        config = try FreshBooksJiraIntegration().configuration(of: integration)
        guard let fbID = integration.connections["freshbooks"], let jiraID = integration.connections["jira"] else {
            throw ConnectorError.permanent("integration \(integration.id) lacks a freshbooks or jira connection; apply it again")
        }
        freshbooks = FreshBooksClient(pipeline: pipeline, connection: try await context.requireConnection(fbID))
        jira = JiraClient(pipeline: pipeline, connection: try await context.requireConnection(jiraID))
        accountID = try freshbooks.accountID()
    }

    func links(from source: ExternalRef) async throws -> [Link] {
        try await context.store.links(integrationID: integration.id, source: source)
    }

    func newLink(_ source: ExternalRef, _ target: ExternalRef, hash: String, previous: Link?) -> StoreWrite {
        .upsertLink(Link(integrationID: integration.id, source: source, target: target, contentHash: hash, createdAt: previous?.createdAt ?? context.now, updatedAt: context.now))
    }

    /// The site's amount field, resolved by name or id (nil when none is configured).
    func amountField() async throws -> JiraField? {
        guard let name = config.jira.amount_field else { return nil }
        return try await jira.field(named: name)
    }

    /// The email of the FreshBooks staff member an expense names, from the business's staff
    /// list read once per poll interval (`FreshBooksJiraStaffDirectory`).
    func staffEmail(_ staffID: Int?) async throws -> String? {
        guard let staffID, staffID > 0 else { return nil }
        let client = freshbooks
        return try await FreshBooksJiraStaffDirectory.shared.email(staffID: staffID, business: "\(client.connection.id)/\(accountID)@\(client.connection.baseURLs["api"] ?? "")", now: context.now,
                                                                   maxAge: try config.pollInterval()) { try await client.staff().collect() }
    }

    /// The Jira account of a person by email, when exactly one user has it.
    func account(email: String?) async throws -> String? {
        guard let email, !email.isEmpty else { return nil }
        let users = try await jira.users(matching: email).filter { $0.emailAddress?.caseInsensitiveCompare(email) == .orderedSame }
        return users.count == 1 ? users[0].accountId : nil
    }
}
