import ConnectorKit
import Foundation
import Jira
import Sandbox
import TestSupport
import Testing

@Suite struct JiraWorklogTests {
    @Test func startedIsWrittenExactlyAndReadBackAsTheSameInstant() async throws {
        try await JiraFixture.with { fixture in
            let issue = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Design"), key: "design", previousAttemptUncertain: false, record: JiraCreatedIssues())
            let started = Date(timeIntervalSince1970: 1_772_356_530.250)  // 2026-03-01T09:15:30.250Z
            let worklog = try await fixture.client.addWorklog(issue: issue.key, WorklogDraft(started: started, timeSpentSeconds: 5400, comment: JiraDocument(text: "Wireframes")))
            #expect(worklog.started == started && worklog.timeSpentSeconds == 5400 && worklog.comment?.plainText == "Wireframes")
            let sent = fixture.sandbox.receivedBodies().last { $0.0.hasSuffix("/worklog") }?.1
            #expect(sent?["started"]?.text == "2026-03-01T09:15:30.250+0000")
            // The sandbox answers in the user's zone (-0800 in March in Los Angeles); parsed exactly, it is the same instant.
            #expect(JiraTime.parse("2026-03-01T01:15:30.250-0800") == started)
            #expect(JiraTime.parse("2026-03-01T09:15:30.250Z") == nil && JiraTime.parse("2026-03-01T09:15:30+00:00") == nil)

            let updated = try await fixture.client.updateWorklog(issue: issue.key, id: worklog.id, WorklogDraft(timeSpentSeconds: 7200))
            #expect(updated.timeSpentSeconds == 7200 && updated.started == started)
            #expect(try await fixture.client.worklogs(issue: issue.key).collect().map(\.id) == [worklog.id])
            try await fixture.client.deleteWorklog(issue: issue.key, id: worklog.id)
            #expect(try await fixture.client.worklogs(issue: issue.key).collect().isEmpty)
        }
    }

    @Test func theWorklogFeedPagesUpdatedWorklogsAndSkipsTheLastMinute() async throws {
        var configuration = JiraSandbox.Configuration()
        configuration.worklogPageSize = 2
        try await JiraFixture.with(configuration: configuration) { fixture in
            let issue = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Build"), key: "build", previousAttemptUncertain: false, record: JiraCreatedIssues())
            var ids: [String] = []
            for hour in 1...5 {
                ids.append(try await fixture.client.addWorklog(issue: issue.key, WorklogDraft(started: Date(timeIntervalSince1970: 1_772_356_530 + Double(hour) * 3600), timeSpentSeconds: 600)).id)
                try await _Concurrency.Task.sleep(for: .milliseconds(3))
            }
            let feed = JiraWorklogFeed(client: fixture.client)
            let start = String(Int64(Date().addingTimeInterval(-600).timeIntervalSince1970 * 1000))
            // Jira leaves out what changed in the last minute.
            let quiet = try await feed.poll(cursor: start, now: Date())
            #expect(quiet.events.isEmpty && quiet.cursor == start)
            fixture.sandbox.advanceClock(by: .seconds(61))
            let page = try await feed.poll(cursor: start, now: Date())
            #expect(page.events.map(\.ref.id) == ids)
            #expect(page.events.allSatisfy { $0.parent == .jira(.issue, issue.id) })
            #expect(fixture.sandbox.requestCounts["GET /rest/api/3/worklog/updated"] == 4)
            let next = try await feed.poll(cursor: page.cursor, now: Date())
            #expect(next.events.isEmpty)
        }
    }
}
