import ConnectorKit
import Foundation
import Jira
import Sandbox
import TestSupport
import Testing

@Suite struct JiraPollerTests {
    @Test func theIssueFeedReadsJQLUpdatedInTheUsersTimeZoneOnceEach() async throws {
        try await JiraFixture.with { fixture in
            let feed = JiraIssueFeed(client: fixture.client, project: "MLC")
            let start = try await feed.poll(cursor: nil, now: Date())
            #expect(start.events.isEmpty)
            let issue = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Polled"), key: "polled", previousAttemptUncertain: false,
                                                             record: JiraCreatedIssues())
            let first = try await feed.poll(cursor: start.cursor, now: Date())
            #expect(first.events.map(\.ref) == [.jira(.issue, issue.id)] && first.events.first?.action == .created)
            // The overlap reads it again; the cursor's seen versions keep it from being reported twice.
            #expect(try await feed.poll(cursor: first.cursor, now: Date()).events.isEmpty)
            try await _Concurrency.Task.sleep(for: .milliseconds(5))
            try await fixture.client.editIssue(issue.key, IssueDraft(summary: "Polled again"))
            let second = try await feed.poll(cursor: first.cursor, now: Date())
            #expect(second.events.map(\.ref) == [.jira(.issue, issue.id)] && second.events.first?.action == .updated)
        }
    }

    @Test func aWatermarkWrittenInTheWrongTimeZoneMissesTheChange() async throws {
        try await JiraFixture.with { fixture in
            // Los Angeles is behind UTC: a UTC wall time read as Los Angeles time lies hours ahead.
            var wrong = fixture.connection
            wrong[setting: .jiraTimeZone] = "UTC"
            let feed = JiraIssueFeed(client: JiraClient(pipeline: fixture.pipeline, connection: wrong), project: "MLC")
            let start = try await feed.poll(cursor: nil, now: Date())
            _ = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Missed"), key: "missed", previousAttemptUncertain: false, record: JiraCreatedIssues())
            #expect(try await feed.poll(cursor: start.cursor, now: Date()).events.isEmpty)
            #expect(fixture.connection[setting: .jiraTimeZone] == "America/Los_Angeles")
        }
    }
}
