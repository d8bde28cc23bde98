import AsyncHTTPClient
import ConnectorKit
import Foundation
import Jira
import NIOCore
import NIOFoundationCompat
import Sandbox
import TestSupport
import Testing

/// Every request body the client sends, and every sandbox response body, validates against
/// the schemas of Atlassian's own OpenAPI document (`../shared/specs/jira/swagger-v3.v3.json`).
@Suite struct JiraContractTests {
    static let spec = Result { try OpenAPISchemas.loadJSON(try SharedSpecs.file("jira/swagger-v3.v3.json").path) }

    /// Which schema each operation's request body follows.
    static let requestSchemas: [String: String] = [
        "POST /rest/api/3/issue": "IssueUpdateDetails", "PUT /rest/api/3/issue/*": "IssueUpdateDetails", "POST /rest/api/3/issue/*/transitions": "IssueUpdateDetails",
        "POST /rest/api/3/issue/*/comment": "Comment", "POST /rest/api/3/issue/*/worklog": "Worklog", "PUT /rest/api/3/issue/*/worklog/*": "Worklog",
        "POST /rest/api/3/worklog/list": "WorklogIdsRequestBean",
        "POST /ex/jira/*/rest/api/3/webhook": "WebhookRegistrationDetails", "PUT /ex/jira/*/rest/api/3/webhook/refresh": "ContainerForWebhookIDs",
        "DELETE /ex/jira/*/rest/api/3/webhook": "ContainerForWebhookIDs",
    ]

    @Test(.enabled(if: SharedSpecs.available, "../shared/specs not found (set ML_CONNECTOR_SPECS_DIR)"))
    func requestsAndResponsesFollowJirasSchemas() async throws {
        let spec = try Self.spec.get()
        try await JiraFixture.with { fixture in
            try await JiraFixture.with(oauth: true) { oauth in
                let jira = fixture.client
                let amount = try await jira.field(named: "Amount")
                let epic = try await jira.createIssue(IssueDraft(project: "MLC", issueType: "Epic", summary: "Acme"), key: "c-epic", previousAttemptUncertain: false, record: JiraCreatedIssues())
                let issue = try await jira.createIssue(IssueDraft(project: "MLC", issueType: "Expense", summary: "Taxi", description: JiraDocument(text: "Taxi to Acme"), labels: ["expense"],
                                                                  parent: epic.key, assignee: fixture.sandbox.accountIDs["casey@sandbox-agency.test"], dueDate: "2026-05-01",
                                                                  custom: [amount.id: .number(Decimal(string: "42.10")!)]),
                                                       key: "c-1", previousAttemptUncertain: false, record: JiraCreatedIssues())
                try await jira.editIssue(issue.key, IssueDraft(summary: "Taxi (paid)"), addLabels: ["paid"])
                try await jira.addComment(issue.key, JiraDocument(text: "Receipt attached."))
                try await jira.transition(issue.key, to: "In Progress")
                let worklog = try await jira.addWorklog(issue: issue.key, WorklogDraft(started: Date(timeIntervalSince1970: 1_772_356_530), timeSpentSeconds: 900, comment: JiraDocument(text: "Ride")))
                _ = try await jira.updateWorklog(issue: issue.key, id: worklog.id, WorklogDraft(timeSpentSeconds: 1200))
                _ = try await jira.worklogs(ids: [Int(worklog.id)!])
                let hooks = try #require(JiraConnector().subscriptions(pipeline: oauth.pipeline, connection: oauth.connection))
                let hook = try await hooks.create(WantedSubscription(resource: "project = MLC"), target: "https://connector.example/webhooks/jira/x")
                try await hooks.renew(ids: [hook.id])
                try await hooks.delete(id: hook.id)

                var checked = 0
                for (operation, body) in fixture.sandbox.receivedBodies() + oauth.sandbox.receivedBodies() {
                    guard let schema = Self.requestSchemas.first(where: { OpenAPISchemas.matches(operation, $0.key) })?.value else { continue }
                    let problems = spec.check(try JSONSerialization.jsonObject(with: body.serialized()), against: schema, request: true)
                    #expect(problems.isEmpty, "\(operation) → \(schema): \(problems)")
                    checked += 1
                }
                #expect(checked >= 10)

                let site = fixture.server.baseURL + "/rest/api/3"
                let basic = "Basic " + Data("\(fixture.sandbox.email):\(fixture.sandbox.configuration.apiToken)".utf8).base64EncodedString()
                let responses: [(String, String, Bool)] = [
                    ("/myself", "User", false), ("/serverInfo", "ServerInformation", false), ("/field", "FieldDetails", true), ("/issuetype", "IssueTypeDetails", true),
                    ("/project/search", "PageBeanProject", false), ("/user/search?query=blake", "User", true), ("/issue/\(issue.key)", "IssueBean", false),
                    ("/issue/\(issue.key)/transitions", "Transitions", false), ("/issue/\(issue.key)/worklog", "PageOfWorklogs", false),
                    ("/search/jql?jql=project%20%3D%20MLC&fields=*all&maxResults=1", "SearchAndReconcileResults", false), ("/worklog/updated?since=0", "ChangedWorklogs", false),
                    ("/issue/MLC-999", "ErrorCollection", false), ("/search/jql?jql=order%20by%20key", "ErrorCollection", false),
                ]
                for (path, schema, list) in responses {
                    let object = try await Self.get(site + path, authorization: basic)
                    for value in list ? (object as? [Any] ?? []) : [object] {
                        let problems = spec.check(value, against: schema)
                        #expect(problems.isEmpty, "\(path) → \(schema): \(problems)")
                    }
                }
                let token = try await oauth.store.credential(for: oauth.connection.id).credential.accessToken ?? ""
                _ = try await hooks.create(WantedSubscription(resource: "project = MLC"), target: "https://connector.example/webhooks/jira/y")
                let page = try await Self.get(oauth.connection.baseURLs["api"]! + "/rest/api/3/webhook", authorization: "Bearer " + token)
                #expect(spec.check(page, against: "PageBeanWebhook").isEmpty, "\(spec.check(page, against: "PageBeanWebhook"))")
            }
        }
    }

    static func get(_ url: String, authorization: String) async throws -> Any {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: authorization)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 22)
        return try JSONSerialization.jsonObject(with: Data(buffer: body))
    }
}
