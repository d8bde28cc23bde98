import ConnectorKit
import Foundation
import Jira
import Sandbox
import TestSupport
import Testing

@Suite struct JiraClientTests {
    @Test func basicAuthIssuesWithDocumentsLabelsParentCustomFieldsAndTransitions() async throws {
        try await JiraFixture.with { fixture in
            let jira = fixture.client
            #expect(fixture.connection.accountRef == fixture.server.baseURL)
            #expect(try await jira.myself().emailAddress == "avery@sandbox-agency.test")

            // Custom field ids are discovered per site, by name, never hard-coded.
            let amount = try await jira.field(named: "Amount")
            #expect(amount.id.hasPrefix("customfield_") && amount.custom)
            let notes = try await jira.field(named: "Notes")
            #expect(notes.takesDocument)
            await #expect(throws: ConnectorError.self) { try await jira.field(named: "Amount due") }

            let blake = try #require(try await jira.users(matching: "blake@sandbox-agency.test").first)
            let epic = try await jira.createIssue(IssueDraft(project: "MLC", issueType: "Epic", summary: "Acme"), key: "epic-acme", previousAttemptUncertain: false, record: JiraCreatedIssues())
            let issue = try await jira.createIssue(IssueDraft(project: "MLC", issueType: "Invoice Created", summary: "Invoice AGY-1 for Acme",
                                                              description: JiraDocument(text: "Invoice AGY-1\nAmount 1250.50 USD"), labels: ["freshbooks"], parent: epic.key,
                                                              assignee: blake.accountId, dueDate: "2026-12-01",
                                                              custom: [amount.id: try jira.input(for: amount, text: "1250.50"), notes.id: try jira.input(for: notes, text: "from FreshBooks")]),
                                                   key: "inv-1", previousAttemptUncertain: false, record: JiraCreatedIssues(), custom: [amount.id, notes.id])
            let fields = try #require(issue.fields)
            #expect(fields.summary == "Invoice AGY-1 for Acme" && fields.issuetype?.name == "Invoice Created")
            #expect(fields.description?.plainText == "Invoice AGY-1\nAmount 1250.50 USD")
            #expect(Set(fields.labels ?? []) == ["freshbooks", "mlc-inv-1"])
            #expect(fields.parent?.key == epic.key && fields.assignee?.accountId == blake.accountId && fields.duedate == "2026-12-01")
            #expect(fields.custom[amount.id] == .number(Decimal(string: "1250.50")!))
            #expect(fields.custom[notes.id] == .document(JiraDocument(text: "from FreshBooks")))
            #expect(fields.created != nil && fields.status?.name == "To Do")

            try await jira.editIssue(issue.key, IssueDraft(summary: "Invoice AGY-1 (sent)"), addLabels: ["sent"], removeLabels: ["freshbooks"])
            try await jira.addComment(issue.key, JiraDocument(text: "Sent to the client."))
            try await jira.transition(issue.key, to: "Done")
            let done = try await jira.issue(issue.key)
            #expect(done.fields?.summary == "Invoice AGY-1 (sent)" && done.fields?.status?.name == "Done" && done.fields?.status?.statusCategory?.key == "done")
            #expect(Set(done.fields?.labels ?? []) == ["sent", "mlc-inv-1"])
            await #expect(throws: ConnectorError.self) { try await jira.transition(issue.key, to: "Archived") }

            // A plain string where v3 wants a document is refused naming the field.
            do {
                try await jira.editIssue(issue.key, IssueDraft(custom: [notes.id: .text("plain")]))
                Issue.record("a plain string was accepted for a textarea")
            } catch ConnectorError.validation(let field, _) {
                #expect(field == notes.id)
            }
            try await jira.deleteIssue(issue.key)
            let gone = await #expect(throws: ConnectorError.self) { _ = try await jira.issue(issue.key) }
            #expect(gone?.kind == "not_found")
        }
    }

    @Test func oauthReachesTheSiteByCloudIDAndRotatesItsRefreshToken() async throws {
        try await JiraFixture.with(oauth: true) { fixture in
            let cloud = fixture.sandbox.cloudID
            #expect(fixture.connection.accountRef == cloud)
            #expect(fixture.connection.baseURLs["api"] == fixture.server.baseURL + "/ex/jira/" + cloud)
            #expect(fixture.connection[setting: .cloudID] == cloud && fixture.connection[setting: .jiraTimeZone] == "America/Los_Angeles")
            #expect(try await JiraConnector().ping(pipeline: fixture.pipeline, connection: fixture.connection).contains("sandbox-agency"))

            let before = try await fixture.store.credential(for: fixture.connection.id).credential
            fixture.sandbox.revokeAccessTokens()
            #expect(try await fixture.client.myself().accountId == fixture.sandbox.accountIDs["avery@sandbox-agency.test"])
            let after = try await fixture.store.credential(for: fixture.connection.id).credential
            #expect(after.refreshToken != before.refreshToken && after.accessToken != before.accessToken)
            #expect(fixture.sandbox.tokenStatistics.requests == 1 && fixture.sandbox.tokenStatistics.spentReuse == 0)
            #expect(fixture.sandbox.requestCounts["GET /ex/jira/\(cloud)/rest/api/3/myself", default: 0] >= 2)

            // An OAuth token does not open the site root, and a wrong cloud id finds no site.
            var siteRoot = fixture.connection
            siteRoot.baseURLs["api"] = fixture.server.baseURL
            await #expect(throws: ConnectorError.self) { _ = try await JiraClient(pipeline: HTTPPipeline(credentials: StaticCredentialSource(after)), connection: siteRoot).myself() }
            var elsewhere = fixture.connection
            elsewhere.baseURLs["api"] = fixture.server.baseURL + "/ex/jira/00000000-0000-0000-0000-000000000000"
            let missing = await #expect(throws: ConnectorError.self) { _ = try await JiraClient(pipeline: fixture.pipeline, connection: elsewhere).myself() }
            #expect(missing?.kind == "not_found")
        }
    }

    @Test func searchPagesByNextPageTokenWithFieldsAndNoReread() async throws {
        try await JiraFixture.with { fixture in
            for index in 1...7 {
                _ = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Task \(index)", labels: ["batch"]),
                                                         key: "t\(index)", previousAttemptUncertain: false, record: JiraCreatedIssues())
            }
            let reads = fixture.sandbox.requestCounts["GET /rest/api/3/issue/MLC-1", default: 0]
            let found = try await fixture.client.search(jql: "project = MLC AND labels = batch ORDER BY created ASC", pageSize: 3).collect()
            #expect(found.map { $0.fields?.summary ?? "" } == (1...7).map { "Task \($0)" })
            #expect(found.allSatisfy { $0.fields?.status?.name == "To Do" && $0.fields?.updated != nil })
            #expect(fixture.sandbox.requestCounts["GET /rest/api/3/search/jql"] == 3)
            #expect(fixture.sandbox.requestCounts["GET /rest/api/3/issue/MLC-1", default: 0] == reads)
            // Unbounded JQL is refused, as on Jira Cloud.
            await #expect(throws: ConnectorError.self) { _ = try await fixture.client.search(jql: "ORDER BY key DESC").collect() }
        }
    }

    @Test func aRateLimitedCallWaitsForRetryAfterAndSucceeds() async throws {
        try await JiraFixture.with { fixture in
            var faults = FaultPlan()
            faults.failNext = 1
            faults.failStatus = 429
            faults.retryAfterSeconds = 1
            fixture.sandbox.setFaults(faults)
            let before = fixture.sandbox.requestCounts["GET /rest/api/3/myself", default: 0]
            let started = ContinuousClock.now
            let me = try await fixture.client.myself()
            #expect(me.emailAddress == "avery@sandbox-agency.test")
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            #expect(fixture.sandbox.requestCounts["GET /rest/api/3/myself", default: 0] == before + 2)
        }
    }
}
