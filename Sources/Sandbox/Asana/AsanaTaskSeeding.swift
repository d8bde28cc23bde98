import Foundation

extension AsanaWorld {
    /// Stores a new task from a checked create request (projects known, assignee resolved,
    /// custom field values validated) and records its `added` events; returns the stored task.
    mutating func addTask(input: [String: JSONValue], projects: [String], assignee: JSONValue, values: [String: JSONValue], at time: Date = Date()) -> JSONValue {
        let gid = newGID()
        let now = AsanaWorld.timestamp(time)
        var fields: [String: JSONValue] = [
            "gid": .string(gid), "resource_type": .string("task"), "resource_subtype": input["resource_subtype"] ?? .string("default_task"),
            "name": input["name"] ?? .string(""), "notes": input["notes"] ?? .string(""), "completed": .bool(false), "completed_at": .null,
            "due_on": input["due_on"] ?? .null, "due_at": .null, "start_on": .null, "assignee": assignee, "created_at": .string(now), "modified_at": .string(now),
            "projects": .array(projects.map { self.projects[$0].map(AsanaWorld.compact) ?? .null }),
            "memberships": .array(projects.map { project in .object(["project": self.projects[project].map(AsanaWorld.compact) ?? .null, "section": sections[project]?.first.map(AsanaWorld.compact) ?? .null]) }),
            "workspace": .object(["gid": .string(workspaceGID), "resource_type": .string("workspace"), "name": .string("Sandbox Agency")]),
            "parent": .null, "permalink_url": .string("https://app.asana.com/0/0/\(gid)"),
        ]
        fields.merge(taskDefaults(subtype: fields["resource_subtype"]?.text ?? "")) { current, _ in current }
        if let external = input["external"] { fields["external"] = external }
        tasks[gid] = .object(fields)
        taskOrder.append(gid)
        taskValues[gid] = values
        for project in projects {
            _ = record(action: "added", resource: .object(["gid": .string(gid), "resource_type": .string("task"), "resource_subtype": .string("default_task")]),
                       parent: .object(["gid": .string(project), "resource_type": .string("project")]), streams: [project, gid])
        }
        return .object(fields)
    }
}

extension AsanaSandbox {
    /// Seeds `count` tasks into a project at once, without a request each (benchmarks and
    /// request-count tests need thousands): each named `<prefix> <n>`, with `values(n)` as its
    /// custom field values keyed by field gid (written as a create would store them).
    /// They were created and last changed at `createdAt` (default: an hour ago, as data one
    /// reads in bulk usually is). `completed` seeds them completed at that time, as a
    /// `completed: true` update would leave them. Returns the new tasks' gids.
    @discardableResult
    public func seedTasks(project: String, count: Int, prefix: String = "Task", createdAt: Date = Date(timeIntervalSinceNow: -3600), completed: Bool = false,
                          values: @Sendable (Int) -> [String: JSONValue] = { _ in [:] }) -> [String] {
        let gids = world.withLockedValue { world in
            (0..<count).map { index in
                let gid = world.addTask(input: ["name": .string("\(prefix) \(index + 1)")], projects: [project], assignee: .null, values: values(index), at: createdAt)["gid"]?.text ?? ""
                if completed, case .object(var fields)? = world.tasks[gid] {
                    fields["completed"] = .bool(true)
                    fields["completed_at"] = .string(AsanaWorld.timestamp(createdAt))
                    fields["completed_by"] = world.meCompact
                    world.tasks[gid] = .object(fields)
                }
                return gid
            }
        }
        notify(resources: [project])
        return gids
    }
}

extension AsanaSandbox {
    /// Seeds `projects` projects of `tasksPerProject` tasks each, every task with a number and a
    /// text custom field set (the shape of the issue 11 read: 20 × 250); returns the project gids.
    @discardableResult
    public func seedBulkReadWorld(projects: Int = 20, tasksPerProject: Int = 250) -> [String] {
        let estimate = createCustomField(name: "Estimate", subtype: "number", precision: 0).gid
        let reference = createCustomField(name: "Reference", subtype: "text").gid
        return (0..<projects).map { index in
            let project = seedProject(name: "Bulk read \(index + 1)")
            attach(field: estimate, to: project)
            attach(field: reference, to: project)
            seedTasks(project: project, count: tasksPerProject) { task in
                [estimate: .int(task % 13 + 1), reference: .string("REF-\(index + 1)-\(task + 1)")]
            }
            return project
        }
    }
}
