import ConnectorKit
import Foundation
import Jira
import Sandbox
import TestSupport
import Testing

/// Creating an issue exactly once by its `mlc-<key>` label, across a lost response and the
/// window in which search does not show a new issue yet.
@Suite struct JiraIdempotencyTests {
    func draft() -> IssueDraft { IssueDraft(project: "MLC", issueType: "Bill Received", summary: "Bill 126 from Acme Supplies") }

    func count(_ fixture: JiraFixture, label: String) async throws -> Int {
        fixture.sandbox.setSearchLag(.zero)
        return try await fixture.client.search(jql: "labels = \"\(label)\"").collect().count
    }

    @Test func aLostCreateResponseIsFoundOnceSearchCatchesUp() async throws {
        try await JiraFixture.with { fixture in
            fixture.sandbox.setSearchLag(.milliseconds(500))
            var faults = FaultPlan()
            faults.loseNextCreateResponses = 1
            fixture.sandbox.setFaults(faults)
            let issue = try await fixture.client.createIssue(draft(), key: "bill-126", previousAttemptUncertain: false, consistency: SearchConsistency(attempts: 6, firstWait: .milliseconds(100)),
                                                             record: JiraCreatedIssues())
            #expect(issue.hasLabel("mlc-bill-126"))
            #expect(fixture.sandbox.requestCounts["POST /rest/api/3/issue"] == 1)
            #expect(try await count(fixture, label: "mlc-bill-126") == 1)
        }
    }

    @Test func withoutTheConsistencyWaitTheLookupMissesAndARetryWouldDuplicate() async throws {
        try await JiraFixture.with { fixture in
            fixture.sandbox.setSearchLag(.seconds(30))
            var faults = FaultPlan()
            faults.loseNextCreateResponses = 1
            fixture.sandbox.setFaults(faults)
            let once = SearchConsistency(attempts: 1, firstWait: .zero)
            // The guarantee broken first: search has not caught up, the lookup misses…
            await #expect(throws: ConnectorError.self) {
                _ = try await fixture.client.createIssue(draft(), key: "bill-127", previousAttemptUncertain: false, consistency: once, record: JiraCreatedIssues())
            }
            // …and a re-create within the window makes a second issue: the window is real.
            _ = try await fixture.client.createIssue(draft(), key: "bill-127", previousAttemptUncertain: true, consistency: once, record: JiraCreatedIssues())
            #expect(try await count(fixture, label: "mlc-bill-127") == 2)
        }
    }

    @Test func theLocalRecordCoversAnIssueSearchDoesNotShowYet() async throws {
        try await JiraFixture.with { fixture in
            fixture.sandbox.setSearchLag(.seconds(30))
            let record = JiraCreatedIssues()
            let first = try await fixture.client.createIssue(draft(), key: "bill-128", previousAttemptUncertain: false, record: record)
            let again = try await fixture.client.createIssue(draft(), key: "bill-128", previousAttemptUncertain: true, consistency: SearchConsistency(attempts: 1, firstWait: .zero), record: record)
            #expect(again.key == first.key)
            #expect(fixture.sandbox.requestCounts["POST /rest/api/3/issue"] == 1)
            #expect(try await count(fixture, label: "mlc-bill-128") == 1)
        }
    }

    @Test func afterARestartBetweenCreateAndConfirmTheLabelLookupFindsTheIssue() async throws {
        try await JiraFixture.with { fixture in
            fixture.sandbox.setSearchLag(.milliseconds(500))
            // The process that created the issue is gone, and with it its local record.
            let first = try await fixture.client.createIssue(draft(), key: "bill-129", previousAttemptUncertain: false, record: JiraCreatedIssues())
            let again = try await fixture.client.createIssue(draft(), key: "bill-129", previousAttemptUncertain: true,
                                                             consistency: SearchConsistency(attempts: 6, firstWait: .milliseconds(100)), record: JiraCreatedIssues())
            #expect(again.key == first.key)
            #expect(fixture.sandbox.requestCounts["POST /rest/api/3/issue"] == 1)
            #expect(try await count(fixture, label: "mlc-bill-129") == 1)
        }
    }

    @Test func oneProcessServingTwoSitesKeepsEachSitesIssueApart() async throws {
        let first = try await JiraFixture.start()
        defer { _Concurrency.Task { await first.stop() } }
        let second = try await JiraFixture.start()
        defer { _Concurrency.Task { await second.stop() } }
        let record = JiraCreatedIssues()
        // The other site's MLC-1 is an unrelated issue: the record must not hand it back.
        _ = try await second.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Unrelated"), key: "unrelated", previousAttemptUncertain: false, record: JiraCreatedIssues())
        let mine = try await first.client.createIssue(draft(), key: "bill-7", previousAttemptUncertain: false, record: record)
        let theirs = try await second.client.createIssue(draft(), key: "bill-7", previousAttemptUncertain: false, record: record)
        #expect(mine.key == "MLC-1" && theirs.key == "MLC-2")
        #expect(theirs.hasLabel("mlc-bill-7"))
        #expect(try await count(second, label: "mlc-bill-7") == 1)
    }
}
