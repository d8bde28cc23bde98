import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

/// The Asana sandbox answers as Asana does (OpenAPI document, api digest part B), checked over
/// loopback with raw JSON: no client of ours in between to hide a difference.
@Suite struct AsanaSandboxFidelityTests {
    /// A sandbox on loopback, a PAT, and raw JSON calls to it.
    struct Wire {
        let sandbox: AsanaSandbox
        let server: SandboxServer

        /// Serves a sandbox for `body` and stops it before returning.
        static func with<Value>(_ body: (Wire) async throws -> Value) async throws -> Value {
            try await withSandbox(try await AsanaSandbox.serve()) { try await body(Wire(sandbox: $0, server: $1)) }
        }

        /// Calls `path` (under `/api/1.0` unless it starts with `/_sandbox` or `http`).
        func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> (status: Int, json: JSONValue) {
            let url = path.hasPrefix("http") ? path : server.baseURL + (path.hasPrefix("/_sandbox") ? "" : AsanaSandbox.prefix) + path
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(sandbox.personalAccessToken)")
            if let body { request.body = .bytes(ByteBuffer(data: body.serialized())) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 22))
            return (Int(response.status.code), data.isEmpty ? .null : try JSONValue.parse(data))
        }

        func data(_ path: String) async throws -> JSONValue {
            let (status, json) = try await call(.GET, path)
            #expect(status == 200, "\(path): \(json)")
            return json["data"] ?? .null
        }
    }

    /// The keys of an object, sorted.
    static func keys(_ value: JSONValue?) -> [String] {
        (value?.object?.keys).map { $0.sorted() } ?? []
    }

    /// A project with two custom fields and a task on it.
    static func seeded(_ wire: Wire) async throws -> (project: String, task: String, amount: String, status: String) {
        let sandbox = wire.sandbox
        let project = sandbox.seedProject(name: "Fidelity")
        let amount = sandbox.createCustomField(name: "Amount", subtype: "number", precision: 2)
        let status = sandbox.createCustomField(name: "Status", subtype: "enum", options: ["draft", "paid"])
        sandbox.attach(field: amount.gid, to: project)
        sandbox.attach(field: status.gid, to: project)
        let created = try await wire.call(.POST, "/tasks", body: .object(["data": .object([
            "name": .string("T"), "notes": .string("a < b"), "projects": .array([.string(project)]), "assignee": .string("me"),
            "custom_fields": .object([amount.gid: .number("12.5"), status.gid: .string(status.options["draft"]!)]),
        ])]))
        #expect(created.status == 201, "\(created.json)")
        return (project, created.json["data"]?["gid"]?.text ?? "", amount.gid, status.gid)
    }

    @Test func anOffsetTheListNeverGaveIsRefused() async throws {
        try await Wire.with { wire in
            for position in ["-5", "9223372036854775807", "abc"] {
                let token = Data("o:\(position)".utf8).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let answer = try await wire.call(.GET, "/workspaces/\(wire.sandbox.workspaceGID)/users?limit=1&offset=\(token)")
                #expect(answer.status == 400, "o:\(position) answered \(answer.status): \(answer.json)")
            }
        }
    }

    @Test func listsUnderAnUnknownWorkspaceOrTeamAreNotFound() async throws {
        try await Wire.with { wire in
            for path in ["/workspaces/\(wire.sandbox.workspaceGID)/users", "/teams/\(wire.sandbox.teamGID)/users", "/workspaces/\(wire.sandbox.workspaceGID)/teams"] {
                let listed = try await wire.data(path).array
                #expect(listed?.isEmpty == false, "\(path) lists nothing")
            }
            for path in ["/workspaces/999/users", "/teams/999/users", "/workspaces/999/teams"] {
                let status = try await wire.call(.GET, path).status
                #expect(status == 404, "\(path) answered for a gid that does not exist")
            }
        }
    }

    @Test func aListedProjectIsTheRecordAReadReturns() async throws {
        try await Wire.with { wire in
            let seeded = try await Self.seeded(wire)
            let fields = "name,custom_field_settings.custom_field.name,custom_field_settings.custom_field.resource_subtype"
            let listed = try await wire.data("/projects?opt_fields=\(fields)").array ?? []
            let read = try await wire.data("/projects/\(seeded.project)?opt_fields=\(fields)")
            #expect(listed.first { $0["gid"]?.text == seeded.project } == read)
            #expect(read["custom_field_settings"]?.array?.count == 2)
        }
    }

    @Test func projectListsHonourWorkspaceTeamAndArchived() async throws {
        try await Wire.with { wire in
            let inTeam = wire.sandbox.seedProject(name: "In team")
            let created = try await wire.call(.POST, "/workspaces/\(wire.sandbox.workspaceGID)/projects", body: .object(["data": .object(["name": .string("Loose")])]))
            let loose = try #require(created.json["data"]?["gid"]?.text)
            _ = try await wire.call(.PUT, "/projects/\(loose)", body: .object(["data": .object(["archived": .bool(true)])]))
            func gids(_ path: String) async throws -> [String] { (try await wire.data(path).array ?? []).compactMap { $0["gid"]?.text } }

            #expect(try await gids("/projects?workspace=\(wire.sandbox.workspaceGID)").sorted() == [inTeam, loose].sorted())
            #expect(try await wire.call(.GET, "/projects?workspace=999").status == 404)
            #expect(try await gids("/projects?team=\(wire.sandbox.teamGID)") == [inTeam])
            #expect(try await gids("/teams/\(wire.sandbox.teamGID)/projects") == [inTeam])
            #expect(try await gids("/projects?workspace=\(wire.sandbox.workspaceGID)&archived=true") == [loose])
            #expect(try await gids("/projects?archived=false") == [inTeam])
        }
    }

    @Test func nestedOptFieldsShapeEachLevel() async throws {
        try await Wire.with { wire in
            let seeded = try await Self.seeded(wire)
            let task = try await wire.data("/tasks/\(seeded.task)?opt_fields=memberships.(project%7Csection).gid,custom_fields.display_value,assignee")
            #expect(Self.keys(task) == ["assignee", "custom_fields", "gid", "memberships"])
            let membership = try #require(task["memberships"]?.array?.first)
            #expect(Self.keys(membership) == ["project", "section"])
            #expect(Self.keys(membership["project"]) == ["gid"] && membership["project"]?["gid"]?.text == seeded.project)
            #expect(Self.keys(membership["section"]) == ["gid"])
            #expect(task["custom_fields"]?.array?.map(Self.keys) == [["display_value", "gid"], ["display_value", "gid"]])
            #expect(task["custom_fields"]?.array?.compactMap { $0["display_value"]?.text }.sorted() == ["12.50", "draft"])
            // Named without sub-fields, a nested record comes back compact.
            #expect(Self.keys(task["assignee"]) == ["gid", "name", "resource_type"])

            let settings = try await wire.data("/projects/\(seeded.project)?opt_fields=custom_field_settings.custom_field.name")
            let setting = try #require(settings["custom_field_settings"]?.array?.first)
            #expect(Self.keys(setting) == ["custom_field", "gid"])
            #expect(Self.keys(setting["custom_field"]) == ["gid", "name"])

            // Without opt_fields a list is compact.
            let listed = try #require(try await wire.data("/projects/\(seeded.project)/tasks").array?.first)
            #expect(Self.keys(listed) == ["gid", "name", "resource_subtype", "resource_type"])
        }
    }

    @Test func everyRequestedSchemaFieldComesBack() async throws {
        try await Wire.with { wire in
            let seeded = try await Self.seeded(wire)
            let taskFields = ["tags", "followers", "num_subtasks", "html_notes", "dependencies", "dependents", "completed_by", "approval_status", "resource_subtype",
                              "permalink_url", "parent", "start_on", "created_at", "modified_at", "memberships", "workspace", "likes", "num_likes", "hearts", "created_by"]
            let task = try await wire.data("/tasks/\(seeded.task)?opt_fields=\(taskFields.joined(separator: ","))")
            #expect(Self.keys(task) == (taskFields + ["gid"]).sorted())
            #expect(task["html_notes"]?.text == "<body>a &lt; b</body>")
            #expect(task["num_subtasks"]?.int == 0 && task["tags"] == .array([]) && task["num_likes"]?.int == 0)

            let projectFields = ["current_status", "public", "html_notes", "color", "permalink_url", "owner", "members", "followers", "created_at", "modified_at",
                                 "workspace", "team", "privacy_setting", "default_view", "custom_fields"]
            let project = try await wire.data("/projects/\(seeded.project)?opt_fields=\(projectFields.joined(separator: ","))")
            #expect(Self.keys(project) == (projectFields + ["gid"]).sorted())
            #expect(project["team"]?["gid"]?.text == wire.sandbox.teamGID)

            let fieldFields = ["created_by", "currency_code", "custom_label", "custom_label_position", "format", "is_global_to_workspace", "has_notifications_enabled",
                               "description", "precision", "enum_options", "representation_type"]
            let amount = try await wire.data("/custom_fields/\(seeded.amount)?opt_fields=\(fieldFields.joined(separator: ","))")
            #expect(Self.keys(amount) == (fieldFields + ["gid"]).sorted())
            #expect(amount["precision"]?.int == 2 && amount["format"]?.text == "none")
            let status = try await wire.data("/custom_fields/\(seeded.status)?opt_fields=\(fieldFields.joined(separator: ","))")
            #expect(status["enum_options"]?.array?.count == 2)

            // A name the schema does not know is not invented.
            #expect(Self.keys(try await wire.data("/tasks/\(seeded.task)?opt_fields=name,no_such_field")) == ["gid", "name"])
        }
    }

    @Test func nextPageLinksBackToTheSandbox() async throws {
        try await Wire.with { wire in
            for name in ["A", "B", "C"] { wire.sandbox.seedProject(name: name) }
            let first = try await wire.call(.GET, "/projects?limit=2&opt_fields=name")
            let uri = try #require(first.json["next_page"]?["uri"]?.text)
            #expect(uri.hasPrefix(wire.server.baseURL + AsanaSandbox.prefix + "/projects?"))
            let second = try await wire.call(.GET, uri)
            #expect(second.status == 200)
            #expect(second.json["data"]?.array?.compactMap { $0["name"]?.text } == ["C"])
            #expect(second.json["next_page"] == .null)
        }
    }

    @Test func aPartialFaultPlanIsMergedAndStatsCountStatuses() async throws {
        try await Wire.with { wire in
            #expect(try await wire.call(.PUT, "/_sandbox/faults", body: .object(["rateLimitPerMinute": .int(2)])).status == 200)
            let merged = try await wire.call(.PATCH, "/_sandbox/faults", body: .object(["failNext": .int(1)]))
            #expect(merged.status == 200)
            #expect(merged.json["rateLimitPerMinute"]?.int == 2 && merged.json["failNext"]?.int == 1 && merged.json["failStatus"]?.int == 503)
            #expect(try await wire.call(.PUT, "/_sandbox/faults", body: .object(["failNxt": .int(1)])).status == 400)

            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await wire.call(.GET, "/users/me").status) }
            #expect(statuses == [503, 200, 200, 429])

            let stats = try await wire.call(.GET, "/_sandbox/stats").json
            #expect(stats["byStatus"] == .object(["200": .int(2), "429": .int(1), "503": .int(1)]))
            #expect(stats["rateLimited"]?.int == 1 && stats["injectedFaults"]?.int == 1)
            #expect(stats["requests"]?["GET /api/1.0/users/me"]?.int == 4)
            for key in ["tokenRequests", "spentTokenReuse", "deliveries"] { #expect(stats[key] != nil, "\(key)") }
        }
    }
}
