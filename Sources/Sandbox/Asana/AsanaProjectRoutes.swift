import Foundation
import Hummingbird

extension AsanaSandbox {
    /// Projects, their sections and custom field settings (digest B5).
    func addProjectRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let p = Self.prefix
        let list: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
            if let refusal = await gate(request) { return refusal }
            let team = context.parameters.get("team") ?? SandboxHTTP.queryValue(request, "team")
            let workspace = context.parameters.get("workspace") ?? SandboxHTTP.queryValue(request, "workspace")
            let (teamGID, workspaceGID) = world.withLockedValue { ($0.teamGID, $0.workspaceGID) }
            if let team, team != teamGID { return Self.error(.notFound, "team: Not a recognized ID: \(team)") }
            if let workspace, workspace != workspaceGID { return Self.error(.notFound, "workspace: Not a recognized ID: \(workspace)") }
            let archived = SandboxHTTP.queryValue(request, "archived")
            var projects = world.withLockedValue { world in world.projects.values.sorted { ($0["gid"]?.text ?? "") < ($1["gid"]?.text ?? "") } }
            if let team { projects = projects.filter { $0["team"]?["gid"]?.text == team } }
            if let workspace { projects = projects.filter { $0["workspace"]?["gid"]?.text == workspace } }
            if let archived { projects = projects.filter { $0["archived"]?.bool == (archived == "true") } }
            // A listed project is the same record a read returns, before opt_fields picks from it.
            return Self.page(projects.map { presented(project: $0) }, request: request)
        }
        router.get("\(p)/projects", use: list)
        router.get("\(p)/workspaces/:workspace/projects", use: list)
        router.get("\(p)/teams/:team/projects", use: list)

        let create: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
            if let refusal = await gate(request) { return refusal }
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            guard let name = input["name"]?.text, !name.isEmpty else { return Self.error(.badRequest, "name: Missing input") }
            let team = context.parameters.get("team") ?? input["team"]?.text
            let project = world.withLockedValue { world -> JSONValue in
                let project = world.addProject(name: name, team: team, input: input)
                _ = world.record(action: "added", resource: .object(["gid": project["gid"] ?? .null, "resource_type": .string("project")]),
                                 parent: .object(["gid": .string(world.workspaceGID), "resource_type": .string("workspace")]),
                                 streams: [world.workspaceGID, project["gid"]?.text ?? ""])
                return project
            }
            notify(resources: [world.withLockedValue { $0.workspaceGID }])
            return Self.single(presented(project: project), request: request, status: .created)
        }
        router.post("\(p)/projects", use: create)
        router.post("\(p)/workspaces/:workspace/projects", use: create)
        router.post("\(p)/teams/:team/projects", use: create)

        router.get("\(p)/projects/:project") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            guard let project = world.withLockedValue({ $0.projects[gid] }) else { return Self.error(.notFound, "project: Not a recognized ID: \(gid)") }
            return Self.single(presented(project: project), request: request)
        }
        router.put("\(p)/projects/:project") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            let result = world.withLockedValue { world -> Result<JSONValue, Refusal> in
                guard case .object(var fields)? = world.projects[gid] else { return .failure(Refusal(Self.error(.notFound, "project: Not a recognized ID: \(gid)"))) }
                var changed: [String] = []
                if let write = input["custom_fields"]?.object {
                    switch world.validateCustomFieldWrite(write, projects: [gid]) {
                    case .failure(let error): return .failure(Refusal(Self.error(.badRequest, error.message)))
                    case .success(let checked):
                        for (field, value) in checked where world.projectValues[gid]?[field] != value {
                            world.projectValues[gid, default: [:]][field] = value
                            changed.append("custom_fields")
                        }
                    }
                }
                for key in ["name", "notes", "archived", "completed", "due_on", "start_on", "color"] where input[key] != nil && input[key] != fields[key] {
                    fields[key] = input[key]
                    changed.append(key)
                }
                fields["modified_at"] = .string(AsanaWorld.timestamp(Date()))
                world.projects[gid] = .object(fields)
                for field in Set(changed) {
                    _ = world.record(action: "changed", resource: .object(["gid": .string(gid), "resource_type": .string("project")]),
                                     change: .object(["field": .string(field), "action": .string("changed")]), streams: [world.workspaceGID, gid])
                }
                return .success(.object(fields))
            }
            let updated: JSONValue
            switch result {
            case .failure(let refusal): return refusal.response
            case .success(let project): updated = project
            }
            notify(resources: [world.withLockedValue { $0.workspaceGID }, gid])
            return Self.single(presented(project: updated), request: request)
        }
        router.get("\(p)/projects/:project/sections") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            guard let sections = world.withLockedValue({ $0.sections[gid] }) else { return Self.error(.notFound, "project: Not a recognized ID: \(gid)") }
            return Self.page(sections, request: request)
        }
        router.get("\(p)/projects/:project/custom_field_settings") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            guard world.withLockedValue({ $0.projects[gid] }) != nil else { return Self.error(.notFound, "project: Not a recognized ID: \(gid)") }
            let settings = settingsOf(project: gid)
            return Self.page(settings, request: request)
        }
        router.post("\(p)/projects/:project/addCustomFieldSetting") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("project")
            let input = try await bodyLog.read(request)["data"]
            guard let field = input?["custom_field"]?.text else { return Self.error(.badRequest, "custom_field: Missing input") }
            let result = world.withLockedValue { world -> String? in
                guard world.projects[gid] != nil else { return "project: Not a recognized ID: \(gid)" }
                guard world.customFields[field] != nil else { return "custom_field: Not a recognized ID: \(field)" }
                if world.projectFieldSettings[gid, default: []].contains(field) { return "custom_field: Custom field with ID \(field) is already on project" }
                world.projectFieldSettings[gid, default: []].append(field)
                return nil
            }
            if let result { return Self.error(.badRequest, result) }
            return Self.single(settingsOf(project: gid).first { $0["custom_field"]?["gid"]?.text == field } ?? .object([:]), request: request)
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

    /// A project as read, listed or written back: its custom field settings and values, and `html_notes`.
    func presented(project: JSONValue) -> JSONValue {
        var copy = project
        let gid = project["gid"]?.text ?? ""
        copy["custom_field_settings"] = .array(settingsOf(project: gid))
        copy["custom_fields"] = world.withLockedValue { $0.customFieldValues(project: gid) }
        copy["html_notes"] = .string(AsanaWorld.htmlNotes(project["notes"]?.text ?? ""))
        return copy
    }
}
