import Foundation
import Hummingbird

extension AsanaSandbox {
    /// Projects, their sections and custom field settings (digest B5).
    func addProjectRoutes(to router: Router<BasicRequestContext>) {
        let p = Self.prefix
        let list: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
            if let refusal = await gate(request) { return refusal }
            let team = context.parameters.get("team") ?? SandboxHTTP.queryValue(request, "team")
            if let team, team != world.withLockedValue({ $0.teamGID }) { return Self.error(.notFound, "team: Not a recognized ID: \(team)") }
            let archived = SandboxHTTP.queryValue(request, "archived")
            var projects = world.withLockedValue { world in world.projects.values.sorted { ($0["gid"]?.text ?? "") < ($1["gid"]?.text ?? "") } }
            if let team { projects = projects.filter { $0["team"]?["gid"]?.text == team } }
            if let archived { projects = projects.filter { $0["archived"]?.bool == (archived == "true") } }
            return Self.page(projects, request: request, fields: Self.optFields(request))
        }
        router.get("\(p)/projects", use: list)
        router.get("\(p)/workspaces/:workspace/projects", use: list)
        router.get("\(p)/teams/:team/projects", use: list)

        let create: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
            if let refusal = await gate(request) { return refusal }
            let input = try await receivedBody(request)["data"]?.object ?? [:]
            guard let name = input["name"]?.text, !name.isEmpty else { return Self.error(.badRequest, "name: Missing input") }
            let team = context.parameters.get("team") ?? input["team"]?.text
            let project = world.withLockedValue { world -> JSONValue in
                let gid = world.newGID()
                let now = AsanaWorld.timestamp(Date())
                let project: JSONValue = .object([
                    "gid": .string(gid), "resource_type": .string("project"), "name": .string(name), "notes": input["notes"] ?? .string(""),
                    "archived": .bool(false), "completed": .bool(false), "color": input["color"] ?? .null, "due_on": input["due_on"] ?? .null,
                    "start_on": input["start_on"] ?? .null, "created_at": .string(now), "modified_at": .string(now),
                    "owner": .object(["gid": .string(world.meGID), "resource_type": .string("user")]),
                    "team": team.map { .object(["gid": .string($0), "resource_type": .string("team"), "name": .string("Delivery")]) } ?? .null,
                    "workspace": .object(["gid": .string(world.workspaceGID), "resource_type": .string("workspace"), "name": .string("Sandbox Agency")]),
                    "members": .array([]), "custom_field_settings": .array([]), "permalink_url": .string("https://app.asana.com/0/\(gid)/list"),
                ])
                world.projects[gid] = project
                world.sections[gid] = [.object(["gid": .string(world.newGID()), "resource_type": .string("section"), "name": .string("Untitled section")])]
                let event = world.record(action: "added", resource: .object(["gid": .string(gid), "resource_type": .string("project")]),
                                         parent: .object(["gid": .string(world.workspaceGID), "resource_type": .string("workspace")]), streams: [world.workspaceGID, gid])
                _ = event
                return project
            }
            notify(resources: [world.withLockedValue { $0.workspaceGID }])
            return Self.data(Self.shape(project, fields: Self.optFields(request) ?? ["name", "team", "workspace", "due_on", "archived"]), status: .created)
        }
        router.post("\(p)/projects", use: create)
        router.post("\(p)/workspaces/:workspace/projects", use: create)
        router.post("\(p)/teams/:team/projects", use: create)

        router.get("\(p)/projects/:project") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            guard let project = world.withLockedValue({ $0.projects[gid] }) else { return Self.error(.notFound, "project: Not a recognized ID: \(gid)") }
            return Self.data(Self.shape(withSettings(project), fields: Self.optFields(request) ?? ["name", "notes", "archived", "completed", "due_on", "team", "workspace", "modified_at"]))
        }
        router.put("\(p)/projects/:project") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            let input = try await receivedBody(request)["data"]?.object ?? [:]
            let updated = world.withLockedValue { world -> JSONValue? in
                guard case .object(var fields)? = world.projects[gid] else { return nil }
                var changed: [String] = []
                for key in ["name", "notes", "archived", "completed", "due_on", "start_on", "color"] where input[key] != nil && input[key] != fields[key] {
                    fields[key] = input[key]
                    changed.append(key)
                }
                fields["modified_at"] = .string(AsanaWorld.timestamp(Date()))
                world.projects[gid] = .object(fields)
                for field in changed {
                    _ = world.record(action: "changed", resource: .object(["gid": .string(gid), "resource_type": .string("project")]),
                                     change: .object(["field": .string(field), "action": .string("changed")]), streams: [world.workspaceGID, gid])
                }
                return .object(fields)
            }
            guard let updated else { return Self.error(.notFound, "project: Not a recognized ID: \(gid)") }
            notify(resources: [world.withLockedValue { $0.workspaceGID }, gid])
            return Self.data(Self.shape(withSettings(updated), fields: Self.optFields(request) ?? ["name", "archived", "completed", "due_on"]))
        }
        router.get("\(p)/projects/:project/sections") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            guard let sections = world.withLockedValue({ $0.sections[gid] }) else { return Self.error(.notFound, "project: Not a recognized ID: \(gid)") }
            return Self.page(sections, request: request, fields: Self.optFields(request))
        }
        router.get("\(p)/projects/:project/custom_field_settings") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            guard world.withLockedValue({ $0.projects[gid] }) != nil else { return Self.error(.notFound, "project: Not a recognized ID: \(gid)") }
            let settings = settingsOf(project: gid)
            return Self.page(settings, request: request, fields: Self.optFields(request) ?? ["custom_field", "is_important", "project"])
        }
        router.post("\(p)/projects/:project/addCustomFieldSetting") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            let input = try await receivedBody(request)["data"]
            guard let field = input?["custom_field"]?.text else { return Self.error(.badRequest, "custom_field: Missing input") }
            let result = world.withLockedValue { world -> String? in
                guard world.projects[gid] != nil else { return "project: Not a recognized ID: \(gid)" }
                guard world.customFields[field] != nil else { return "custom_field: Not a recognized ID: \(field)" }
                if world.projectFieldSettings[gid, default: []].contains(field) { return "custom_field: Custom field with ID \(field) is already on project" }
                world.projectFieldSettings[gid, default: []].append(field)
                return nil
            }
            if let result { return Self.error(.badRequest, result) }
            return Self.data(settingsOf(project: gid).first { $0["custom_field"]?["gid"]?.text == field } ?? .object([:]))
        }
    }

    /// A project's custom field settings, with the full field definitions.
    func settingsOf(project gid: String) -> [JSONValue] {
        world.withLockedValue { world in
            (world.projectFieldSettings[gid] ?? []).compactMap { field in
                world.customFields[field].map { definition in
                    .object(["gid": .string("\(gid)-\(field)"), "resource_type": .string("custom_field_setting"), "is_important": .bool(true),
                             "custom_field": definition, "project": .object(["gid": .string(gid), "resource_type": .string("project")])])
                }
            }
        }
    }

    func withSettings(_ project: JSONValue) -> JSONValue {
        var copy = project
        copy["custom_field_settings"] = .array(settingsOf(project: project["gid"]?.text ?? ""))
        return copy
    }
}
