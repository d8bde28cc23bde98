import Foundation
import Hummingbird

extension AsanaSandbox {
    /// Tasks and their stories (digest B5): create with projects, assignee by gid or email,
    /// `custom_fields` keyed by field gid, `external` for OAuth apps and `external:ID` lookups.
    func addTaskRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let p = Self.prefix
        let list: @Sendable (Request, BasicRequestContext) async throws -> Response = { [self] request, context in
            if let refusal = await gate(request) { return refusal }
            guard let project = context.parameters.get("project") ?? SandboxHTTP.queryValue(request, "project") else {
                return Self.error(.badRequest, "Must specify exactly one of project, tag, section, user task list, or assignee + workspace")
            }
            let since = SandboxHTTP.queryValue(request, "modified_since")
            let (tasks, snapshot) = world.withLockedValue { world in
                (world.taskOrder.compactMap { world.tasks[$0] }.filter { task in
                    (task["projects"]?.array ?? []).contains { $0["gid"]?.text == project } && (since.map { (task["modified_at"]?.text ?? "") >= $0 } ?? true)
                }, world)
            }
            // Only the page's tasks are dressed, from a snapshot of the world, and subtasks are
            // counted once for them: counted per task, a 10,000-task workspace made each listing
            // 10,000 × 10,000 look-ups (a third of a backfill's time).
            let subtasks = snapshot.subtaskCounts()
            return Self.page(tasks, request: request) { readable($0, world: snapshot, subtasks: subtasks) }
        }
        router.get("\(p)/tasks", use: list)
        router.get("\(p)/projects/:project/tasks", use: list)

        router.get("\(p)/tasks/:task") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let reference = try context.parameters.require("task")
            let oauth = isOAuth(request)
            let task = world.withLockedValue { world -> JSONValue? in
                if reference.hasPrefix("external:") {
                    guard oauth else { return nil }
                    let key = String(reference.dropFirst("external:".count))
                    return world.tasks.values.first { $0["external"]?["gid"]?.text == key }.map { readable($0, world: world) }
                }
                return world.tasks[reference].map { readable($0, world: world) }
            }
            guard let task else { return Self.error(.notFound, "task: Not a recognized ID: \(reference)") }
            return Self.single(task, request: request)
        }
        router.post("\(p)/tasks") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            let oauth = isOAuth(request)
            let result = world.withLockedValue { world -> Result<JSONValue, Refusal> in
                let projects = (input["projects"]?.array ?? []).compactMap(\.text)
                guard !projects.isEmpty || input["workspace"]?.text != nil else { return .failure(Refusal(Self.error(.badRequest, "workspace: Missing input"))) }
                for project in projects where world.projects[project] == nil { return .failure(Refusal(Self.error(.badRequest, "projects: Not a recognized ID: \(project)"))) }
                if input["external"] != nil && !oauth { return .failure(Refusal(Self.error(.badRequest, "external: External data can only be set by OAuth apps"))) }
                if let key = input["external"]?["gid"]?.text, world.tasks.values.contains(where: { $0["external"]?["gid"]?.text == key }) {
                    return .failure(Refusal(Self.error(.badRequest, "external.gid: A task with this external gid already exists")))
                }
                var assignee: JSONValue = .null
                if let reference = input["assignee"]?.text {
                    guard let user = world.user(reference) else { return .failure(Refusal(Self.error(.badRequest, "assignee: Not a recognized ID or email: \(reference)"))) }
                    assignee = AsanaWorld.compact(user)
                }
                var values: [String: JSONValue] = [:]
                if let write = input["custom_fields"]?.object {
                    switch world.validateCustomFieldWrite(write, projects: projects) {
                    case .failure(let error): return .failure(Refusal(Self.error(.badRequest, error.message)))
                    case .success(let checked): values = checked
                    }
                }
                return .success(readable(world.addTask(input: input, projects: projects, assignee: assignee, values: values), world: world))
            }
            switch result {
            case .failure(let refusal): return refusal.response
            case .success(let task):
                notify(resources: (task["projects"]?.array ?? []).compactMap { $0["gid"]?.text })
                return faultGate.createResponse(Self.single(task, request: request, status: .created))
            }
        }
        router.put("\(p)/tasks/:task") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("task")
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            let result = world.withLockedValue { world -> Result<JSONValue, Refusal> in
                guard case .object(var fields)? = world.tasks[gid] else { return .failure(Refusal(Self.error(.notFound, "task: Not a recognized ID: \(gid)"))) }
                let projects = (fields["projects"]?.array ?? []).compactMap { $0["gid"]?.text }
                var changed: [String] = []
                if let write = input["custom_fields"]?.object {
                    switch world.validateCustomFieldWrite(write, projects: projects) {
                    case .failure(let error): return .failure(Refusal(Self.error(.badRequest, error.message)))
                    case .success(let checked):
                        for (field, value) in checked where world.taskValues[gid]?[field] != value {
                            world.taskValues[gid, default: [:]][field] = value
                            changed.append("custom_fields")
                        }
                    }
                }
                if let reference = input["assignee"] {
                    if case .null = reference { fields["assignee"] = .null } else {
                        guard let user = reference.text.flatMap(world.user) else { return .failure(Refusal(Self.error(.badRequest, "assignee: Not a recognized ID or email"))) }
                        if fields["assignee"]?["gid"] != user["gid"] { changed.append("assignee") }
                        fields["assignee"] = AsanaWorld.compact(user)
                    }
                }
                for key in ["name", "notes", "due_on", "start_on", "external"] where input[key] != nil && input[key] != fields[key] {
                    fields[key] = input[key]
                    changed.append(key)
                }
                if let completed = input["completed"]?.bool, completed != fields["completed"]?.bool {
                    fields["completed"] = .bool(completed)
                    fields["completed_at"] = completed ? .string(AsanaWorld.timestamp(Date())) : .null
                    fields["completed_by"] = completed ? world.meCompact : .null
                    changed.append("completed")
                }
                fields["modified_at"] = .string(AsanaWorld.timestamp(Date()))
                world.tasks[gid] = .object(fields)
                for field in Set(changed) {
                    _ = world.record(action: "changed", resource: .object(["gid": .string(gid), "resource_type": .string("task"), "resource_subtype": .string("default_task")]),
                                     change: .object(["field": .string(field), "action": .string("changed")]), streams: projects + [gid])
                }
                return .success(readable(.object(fields), world: world))
            }
            switch result {
            case .failure(let refusal): return refusal.response
            case .success(let task):
                notify(resources: (task["projects"]?.array ?? []).compactMap { $0["gid"]?.text })
                return Self.single(task, request: request)
            }
        }
        router.delete("\(p)/tasks/:task") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("task")
            let projects = world.withLockedValue { world -> [String]? in
                guard let task = world.tasks.removeValue(forKey: gid) else { return nil }
                world.taskOrder.removeAll { $0 == gid }
                let projects = (task["projects"]?.array ?? []).compactMap { $0["gid"]?.text }
                _ = world.record(action: "deleted", resource: .object(["gid": .string(gid), "resource_type": .string("task")]), streams: projects + [gid])
                return projects
            }
            guard let projects else { return Self.error(.notFound, "task: Not a recognized ID: \(gid)") }
            notify(resources: projects)
            return Self.data(.object([:]))
        }
        router.get("\(p)/tasks/:task/stories") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("task")
            return Self.page(world.withLockedValue { $0.stories[gid] ?? [] }, request: request)
        }
        router.post("\(p)/tasks/:task/stories") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("task")
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            guard let text = input["text"]?.text ?? input["html_text"]?.text, !text.isEmpty else { return Self.error(.badRequest, "text: Missing input") }
            let story = world.withLockedValue { world -> JSONValue? in
                guard let task = world.tasks[gid] else { return nil }
                let story: JSONValue = .object(["gid": .string(world.newGID()), "resource_type": .string("story"), "resource_subtype": .string("comment_added"),
                                                "type": .string("comment"), "text": .string(text), "created_at": .string(AsanaWorld.timestamp(Date())),
                                                "created_by": .object(["gid": .string(world.meGID), "resource_type": .string("user")])])
                world.stories[gid, default: []].append(story)
                let projects = (task["projects"]?.array ?? []).compactMap { $0["gid"]?.text }
                _ = world.record(action: "added", resource: .object(["gid": story["gid"]!, "resource_type": .string("story"), "resource_subtype": .string("comment_added")]),
                                 parent: .object(["gid": .string(gid), "resource_type": .string("task")]), streams: projects + [gid])
                return story
            }
            guard let story else { return Self.error(.notFound, "task: Not a recognized ID: \(gid)") }
            return faultGate.createResponse(Self.single(story, request: request, status: .created))
        }
    }

    /// A task as read: its typed custom field values, `html_notes` and subtask count filled in.
    func readable(_ task: JSONValue, world: AsanaWorld, subtasks: [String: Int]? = nil) -> JSONValue {
        var copy = task
        let gid = task["gid"]?.text ?? ""
        copy["html_notes"] = .string(AsanaWorld.htmlNotes(task["notes"]?.text ?? ""))
        copy["num_subtasks"] = .int(subtasks.map { $0[gid] ?? 0 } ?? world.tasks.values.filter { $0["parent"]?["gid"]?.text == gid }.count)
        let projects = (task["projects"]?.array ?? []).compactMap { $0["gid"]?.text }
        copy["custom_fields"] = world.customFieldValues(task: gid, projects: projects)
        // The assignee and each project as their own records, so `assignee.email` and
        // `projects.custom_fields…` read through them (compact unless asked).
        if let assignee = task["assignee"]?["gid"]?.text, let user = world.users[assignee] { copy["assignee"] = user }
        copy["projects"] = .array(projects.compactMap { project in
            world.projects[project].map { record in
                var full = record
                full["custom_fields"] = world.customFieldValues(project: project)
                return full
            }
        })
        return copy
    }
}
