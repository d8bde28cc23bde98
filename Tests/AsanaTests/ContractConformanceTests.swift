import Asana
import AsyncHTTPClient
import NIOCore
import NIOFoundationCompat
import ConnectorKit
import Foundation
import Sandbox
import TestSupport
import Testing

/// Every request body the client sends, and every sandbox response body, validates against
/// the schemas of Asana's own OpenAPI document (`../shared/specs/asana/asana_oas.yaml`).
@Suite struct ContractConformanceTests {
    static let spec = Result { try OpenAPISchemas.load(try SharedSpecs.file("asana/asana_oas.yaml").path) }

    /// Which schema each operation's request body and response `data` follow.
    static let requestSchemas: [String: String] = [
        "POST /api/1.0/tasks": "TaskCreateRequest", "PUT /api/1.0/tasks/*": "TaskUpdateRequest", "POST /api/1.0/projects": "ProjectRequest",
        "PUT /api/1.0/projects/*": "ProjectUpdateRequest", "POST /api/1.0/webhooks": "WebhookRequest", "POST /api/1.0/tasks/*/stories": "StoryRequest",
        "POST /api/1.0/custom_fields/*/enum_options": "EnumOptionRequest",
    ]

    @Test(.enabled(if: SharedSpecs.available, "../shared/specs not found (set ML_CONNECTOR_SPECS_DIR)"))
    func requestsAndResponsesFollowAsanasSchemas() async throws {
        let spec = try Self.spec.get()
        try await AsanaFixture.with(oauth: true) { fixture in
            let client = fixture.client
            let amount = fixture.sandbox.createCustomField(name: "Amount", subtype: "number", precision: 2)
            let status = fixture.sandbox.createCustomField(name: "Status", subtype: "enum", options: ["draft", "paid"])
            let project = try await client.createProject(ProjectDraft(name: "Conformance", notes: "n", team: fixture.sandbox.teamGID, dueOn: "2026-12-31"))
            for field in [amount.gid, status.gid] { fixture.sandbox.attach(field: field, to: project.gid) }
            let task = try await client.createTask(TaskDraft(name: "T", notes: "n", projects: [project.gid], assignee: "me", dueOn: "2026-12-01",
                                                             customFields: [amount.gid: .number(Decimal(string: "12.50")!), status.gid: .enumOption(status.options["draft"]!)]),
                                                   key: "conf-1", keyField: nil, previousAttemptUncertain: false)
            _ = try await client.updateTask(gid: task.gid, TaskDraft(name: "T2", completed: true, customFields: [status.gid: .enumOption(status.options["paid"]!)]))
            _ = try await client.updateProject(gid: project.gid, ProjectDraft(name: "Conformance 2", archived: false))
            _ = try await client.addComment(task: task.gid, text: "hello")
            _ = try await client.createEnumOption(field: status.gid, name: "overdue")

            // Requests the client sent.
            var checked = 0
            for (operation, body) in fixture.sandbox.receivedBodies() {
                guard let schema = Self.requestSchemas.first(where: { OpenAPISchemas.matches(operation, $0.key) })?.value else { continue }
                let object = try JSONSerialization.jsonObject(with: body.serialized())
                let data = (object as? [String: Any])?["data"] ?? NSNull()
                let problems = spec.check(data, against: schema, request: true)
                #expect(problems.isEmpty, "\(operation) → \(schema): \(problems)")
                checked += 1
            }
            #expect(checked >= 6)

            // Responses the sandbox gave, fetched with every field the schemas describe.
            let base = fixture.server.baseURL + AsanaSandbox.prefix
            let responses: [(String, String)] = [
                ("/tasks/\(task.gid)?opt_fields=name,notes,completed,completed_at,due_on,assignee,projects,memberships,custom_fields,modified_at,created_at,workspace,resource_subtype,permalink_url", "TaskResponse"),
                ("/projects/\(project.gid)?opt_fields=name,notes,archived,completed,due_on,team,workspace,owner,created_at,modified_at,custom_field_settings,permalink_url", "ProjectResponse"),
                ("/users/me?opt_fields=name,email,workspaces,photo", "UserResponse"),
                ("/custom_fields/\(status.gid)", "CustomFieldResponse"),
                ("/custom_fields/\(amount.gid)", "CustomFieldResponse"),
            ]
            let token = try await fixture.store.credential(for: fixture.connection.id).credential.accessToken ?? ""
            for (path, schema) in responses {
                let object = try await Self.get(base + path, token: token)
                let problems = spec.check((object as? [String: Any])?["data"] ?? NSNull(), against: schema)
                #expect(problems.isEmpty, "\(path) → \(schema): \(problems)")
            }
            let missing = try await Self.get(base + "/tasks/424242", token: token)
            #expect(spec.check(missing, against: "ErrorResponse").isEmpty)
        }
    }

    static func get(_ url: String, token: String) async throws -> Any {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONSerialization.jsonObject(with: Data(buffer: body))
    }
}

@Suite struct SchemaCheckerTests {
    @Test(.enabled(if: SharedSpecs.available, "../shared/specs not found (set ML_CONNECTOR_SPECS_DIR)"))
    func theCheckerRejectsWhatTheContractForbids() throws {
        let spec = try ContractConformanceTests.spec.get()
        #expect(spec.check(["name": 5], against: "TaskCreateRequest", request: true).contains { $0.contains("$.name: expected a string") })
        #expect(spec.check(["gid": "1", "name": "x"], against: "TaskCreateRequest", request: true).contains { $0.contains("read-only") })
        #expect(spec.check(["gid": 12, "resource_type": "task"], against: "TaskResponse").contains { $0.contains("$.gid: expected a string") })
        #expect(spec.check(["resource": "1", "target": 7], against: "WebhookRequest", request: true).contains { $0.contains("$.target") })
        #expect(spec.check([:] as [String: Any], against: "WebhookRequest", request: true).contains { $0.contains("required") })
        #expect(spec.check(["gid": "1", "resource_subtype": "hologram"], against: "CustomFieldResponse").contains { $0.contains("hologram") })
        #expect(spec.check(["due_on": "tomorrow"], against: "TaskUpdateRequest", request: true).contains { $0.contains("not a date") })
    }
}
