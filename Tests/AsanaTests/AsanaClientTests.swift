import Asana
import ConnectorKit
import Foundation
import Sandbox
import TestSupport
import Testing

@Suite struct AsanaClientTests {
    func project(_ fixture: AsanaFixture, name: String = "Acme website") async throws -> Project {
        try await fixture.client.createProject(ProjectDraft(name: name, team: fixture.sandbox.teamGID, dueOn: "2026-12-31"))
    }

    @Test func identityProjectsUsersAndPaging() async throws {
        try await AsanaFixture.with { fixture in
            let me = try await fixture.client.me()
            #expect(me.email == "avery@sandbox-agency.test" && me.workspaces?.map(\.gid) == [fixture.sandbox.workspaceGID])
            let created = try await project(fixture)
            #expect(created.team?.gid == fixture.sandbox.teamGID && created.due_on == "2026-12-31")
            #expect(try await fixture.client.projects(team: fixture.sandbox.teamGID).collect().map(\.gid) == [created.gid])
            let renamed = try await fixture.client.updateProject(gid: created.gid, ProjectDraft(name: "Acme web", archived: true))
            #expect(renamed.name == "Acme web" && renamed.archived == true)
            #expect(try await fixture.client.users().collect().count == 3)

            for index in 0..<150 { _ = try await fixture.client.updateTask(gid: try await fixture.client.createTask(TaskDraft(name: "T\(index)", projects: [created.gid]), key: "k\(index)", keyField: nil, previousAttemptUncertain: false).gid, TaskDraft(notes: "n")) }
            let tasks = try await fixture.client.tasks(project: created.gid).collect()
            #expect(tasks.count == 150 && Set(tasks.map(\.gid)).count == 150)
            #expect(fixture.sandbox.requestCounts["GET /api/1.0/tasks"] == 2)
        }
    }

    @Test func customFieldsAreWrittenByGIDAndReadBackTyped() async throws {
        try await AsanaFixture.with { fixture in
            let project = try await project(fixture)
            let amount = fixture.sandbox.createCustomField(name: "Billable amount", subtype: "number", precision: 2)
            let status = fixture.sandbox.createCustomField(name: "Billing status", subtype: "enum", options: ["draft", "sent", "paid"])
            let code = fixture.sandbox.createCustomField(name: "Cost code", subtype: "text")
            for field in [amount.gid, status.gid, code.gid] { fixture.sandbox.attach(field: field, to: project.gid) }

            let task = try await fixture.client.createTask(TaskDraft(name: "Design", projects: [project.gid], assignee: "blake@sandbox-agency.test", dueOn: "2026-12-01",
                                                                     customFields: [amount.gid: .number(Decimal(string: "1250.50")!), status.gid: .enumOption(status.options["draft"]!), code.gid: .text("DES-1")]),
                                                           key: "task-1", keyField: nil, previousAttemptUncertain: false)
            #expect(task.assignee?.gid == "1200000000000011")
            #expect(task.value(of: amount.gid)?.number_value == Decimal(string: "1250.5") && task.value(of: amount.gid)?.display_value == "1250.50")
            #expect(task.value(of: status.gid)?.enum_value?.name == "draft")
            #expect(task.value(of: code.gid)?.text_value == "DES-1")

            // A renamed field still maps by GID.
            fixture.sandbox.renameCustomField(amount.gid, to: "Amount (USD)")
            let resolved = try await fixture.client.validate([CustomFieldRequirement(key: "asana.fields.billable_amount", gid: amount.gid, kind: .number),
                                                              CustomFieldRequirement(key: "asana.fields.billing_status", gid: status.gid, kind: .enumeration, options: ["paid": status.options["paid"]!])])
            #expect(resolved[amount.gid]?.name == "Amount (USD)")
            let updated = try await fixture.client.updateTask(gid: task.gid, TaskDraft(customFields: [status.gid: .enumOption(status.options["paid"]!)]))
            #expect(updated.value(of: status.gid)?.display_value == "paid")
            let option = try await fixture.client.createEnumOption(field: status.gid, name: "overdue")
            #expect(try await fixture.client.customField(gid: status.gid).enum_options?.contains(option) == true)
        }
    }

    @Test func aWrongGIDOrTypeIsAClearErrorBeforeAnyWrite() async throws {
        try await AsanaFixture.with { fixture in
            let text = fixture.sandbox.createCustomField(name: "Cost code", subtype: "text")
            let status = fixture.sandbox.createCustomField(name: "Billing status", subtype: "enum", options: ["draft"])
            do {
                _ = try await fixture.client.validate([CustomFieldRequirement(key: "asana.fields.hours", gid: "9999999999", kind: .number)])
                Issue.record("expected validation")
            } catch let ConnectorError.validation(field, message) {
                #expect(field == "asana.fields.hours" && message.contains("9999999999") && message.contains("does not exist"))
            }
            do {
                _ = try await fixture.client.validate([CustomFieldRequirement(key: "asana.fields.billable_amount", gid: text.gid, kind: .number)])
                Issue.record("expected validation")
            } catch let ConnectorError.validation(field, message) {
                #expect(field == "asana.fields.billable_amount" && message.contains("text field") && message.contains("needs a number"))
            }
            do {
                _ = try await fixture.client.validate([CustomFieldRequirement(key: "asana.fields.billing_status", gid: status.gid, kind: .enumeration, options: ["paid": "123"])])
                Issue.record("expected validation")
            } catch let ConnectorError.validation(field, _) {
                #expect(field == "asana.fields.billing_status.options.paid")
            }
            #expect(fixture.sandbox.requestCounts["POST /api/1.0/tasks"] == nil)
        }
    }

    @Test(arguments: [true, false])
    func aLostCreateResponseLeavesExactlyOneTask(oauth: Bool) async throws {
        try await AsanaFixture.with(oauth: oauth) { fixture in
            let project = try await project(fixture)
            let keyField = fixture.sandbox.createCustomField(name: "mlc key", subtype: "text")
            fixture.sandbox.attach(field: keyField.gid, to: project.gid)
            var faults = FaultPlan()
            faults.loseNextCreateResponses = 1
            fixture.sandbox.setFaults(faults)
            let draft = TaskDraft(name: "Approve bill 42", projects: [project.gid])
            let task = try await fixture.client.createTask(draft, key: "bill-42", keyField: oauth ? nil : keyField.gid, previousAttemptUncertain: false)
            let again = try await fixture.client.createTask(draft, key: "bill-42", keyField: oauth ? nil : keyField.gid, previousAttemptUncertain: true)
            #expect(again.gid == task.gid)
            #expect(try await fixture.client.tasks(project: project.gid).collect().count == 1)
        }
    }

    @Test func anEnumOptionIsRenamedAndDisabledNeverRemoved() async throws {
        try await AsanaFixture.with { fixture in
            let field = fixture.sandbox.createCustomField(name: "Vendor", subtype: "enum", options: ["Acme"])
            let added = try await fixture.client.createEnumOption(field: field.gid, name: "Globex")
            let renamed = try await fixture.client.updateEnumOption(gid: added.gid, name: "Globex Inc")
            #expect(renamed.name == "Globex Inc" && renamed.enabled == true)
            _ = try await fixture.client.updateEnumOption(gid: try #require(field.options["Acme"]), enabled: false)
            let options = try await fixture.client.customField(gid: field.gid).enum_options ?? []
            #expect(options.map(\.name) == ["Acme", "Globex Inc"] && options.map(\.enabled) == [false, true])
            await #expect(throws: ConnectorError.self) { try await fixture.client.updateEnumOption(gid: "404404", name: "x") }
        }
    }

    @Test func commentsAndCompletion() async throws {
        try await AsanaFixture.with { fixture in
            let project = try await project(fixture)
            let task = try await fixture.client.createTask(TaskDraft(name: "Ship", projects: [project.gid]), key: "k", keyField: nil, previousAttemptUncertain: false)
            let story = try await fixture.client.addComment(task: task.gid, text: "Invoiced as AGY-0001")
            #expect(story.text == "Invoiced as AGY-0001")
            #expect(try await fixture.client.completeTask(gid: task.gid).completed)
        }
    }

    @Test func theEventsFeedStartsWithASyncTokenAndResyncsAfterExpiry() async throws {
        try await AsanaFixture.with { fixture in
            let project = try await project(fixture)
            let feed = AsanaEventsFeed(project: project.gid, client: fixture.client)
            let first = try await feed.poll(cursor: nil, now: Date())
            // An empty project's crawl: only the project's event, standing for it.
            #expect(first.events.map(\.ref) == [.asana(.project, project.gid)])
            #expect(first.events.allSatisfy { $0.standsForResync })
            let task = try await fixture.client.createTask(TaskDraft(name: "New", projects: [project.gid]), key: "k", keyField: nil, previousAttemptUncertain: false)
            _ = try await fixture.client.completeTask(gid: task.gid)
            let second = try await feed.poll(cursor: first.cursor, now: Date())
            #expect(second.events.map(\.ref.id) == [task.gid])
            #expect(second.events.allSatisfy { $0.resyncOf == nil }, "an events page is no re-read")
            let third = try await feed.poll(cursor: second.cursor, now: Date())
            #expect(third.events.isEmpty)

            fixture.sandbox.expireSyncTokens()
            _ = try await fixture.client.updateTask(gid: task.gid, TaskDraft(name: "Renamed while the token expired"))
            let resync = try await feed.poll(cursor: third.cursor, now: Date())
            // The re-read task, and its project's event standing for the re-read.
            #expect(resync.events.map(\.ref) == [.asana(.task, task.gid), .asana(.project, project.gid)])
            #expect(resync.events.allSatisfy { $0.resyncOf == .asana(.project, project.gid) })
            #expect(resync.events.map(\.standsForResync) == [false, true])
        }
    }

    @Test func anExpiredOAuthTokenIsRefreshedOnceForConcurrentCalls() async throws {
        var configuration = AsanaSandbox.Configuration()
        configuration.accessTokenLifetime = .seconds(1)
        try await AsanaFixture.with(oauth: true, configuration: configuration) { fixture in
            try await _Concurrency.Task.sleep(for: .milliseconds(1100))
            let client = fixture.client
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { _ = try await client.me() } }
                try await group.waitForAll()
            }
            #expect(fixture.sandbox.requestCounts["POST /-/oauth_token"] == 1)
            let stored = try await fixture.store.credential(for: fixture.connection.id)
            #expect(stored.version == 2 && stored.credential.refreshToken != nil)
        }
    }
}
