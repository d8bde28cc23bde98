import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// Projects and time entries under `/projects/business/<id>` and `/timetracking/business/<id>`
    /// (api digest A6): bare `{"project": …}` objects, lists with `meta`, plain query filters,
    /// singular `/project` for one project and plural `/projects` for the list.
    func addProjectRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let projects = "/projects/business/:business"
        router.get("\(projects)/projects") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            var list = world.withLockedValue { Array($0.projects.values) }
            if let complete = SandboxHTTP.queryValue(request, "complete") { list = list.filter { $0["complete"]?.bool == (complete == "true") } }
            if let client = SandboxHTTP.queryValue(request, "client_id") { list = list.filter { $0["client_id"]?.text == client } }
            if let since = SandboxHTTP.queryValue(request, "updated_since") { list = list.filter { ($0["updated_at"]?.text ?? "") >= since } }
            return metaPage(list, request: request, listName: "projects")
        }
        router.get("\(projects)/project/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            guard let project = world.withLockedValue({ $0.projects[id] }) else { return FreshBooksErrors.notFound(.projects, object: "project", field: "id", value: "") }
            return SandboxHTTP.json(.ok, .object(["project": project, "abilities": .array([.object(["name": .string("can_edit"), "value": .bool(true)])])]))
        }
        router.post("\(projects)/project") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["project"]?.object ?? [:]
            guard let title = input["title"]?.text, !title.isEmpty else { return FreshBooksErrors.invalid(.projects, object: "project", field: "title", message: "field required") }
            let result = world.withLockedValue { world -> Result<JSONValue, Refusal> in
                if let client = input["client_id"]?.int, world.clients[client] == nil {
                    return .failure(Refusal(FreshBooksErrors.invalid(.projects, object: "project", field: "client_id", message: "client not found")))
                }
                let id = world.newID()
                let now = FreshBooksWorld.utcTimestamp(Date(), zulu: false)
                var fields: [String: JSONValue] = [
                    "id": .int(id), "title": .string(title), "description": .null, "due_date": .null, "client_id": .null, "internal": .bool(false), "budget": .null,
                    "fixed_price": .null, "rate": .null, "billing_method": .string("project_rate"), "project_type": .string("hourly_rate"), "project_manager_id": .null,
                    "active": .bool(true), "complete": .bool(false), "sample": .bool(false), "created_at": .string(now), "updated_at": .string(now),
                    "logged_duration": .null, "services": .array([]), "billed_amount": .string("0.00"), "billed_status": .string("unbilled"), "retainer_id": .null,
                    "expense_markup": .string("0"),
                    "group_id": .int(id + 1_000_000),
                    "group": .object(["id": .int(id + 1_000_000), "members": .array([.object([
                        "id": .int(id + 2_000_000), "identity_id": .int(world.identityID), "role": .string("owner"), "first_name": .string("Avery"), "last_name": .string("Owner"),
                        "email": .string("avery@sandbox-agency.test"), "company": .string(world.primary.name), "active": .bool(true),
                    ])]), "pending_invitations": .array([])]),
                ]
                for (key, value) in input where Self.projectWritable.contains(key) { fields[key] = value }
                world.projects[id] = .object(fields)
                return .success(.object(fields))
            }
            switch result {
            case .failure(let refusal): return refusal.response
            case .success(let project):
                fire("project.create", objectID: project["id"]?.int ?? 0)
                return createResponse(SandboxHTTP.json(.ok, .object(["project": project])))
            }
        }
        router.put("\(projects)/project/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            let input = try await SandboxHTTP.jsonBody(request)["project"]?.object ?? [:]
            let updated = world.withLockedValue { world -> JSONValue? in
                guard case .object(var fields)? = world.projects[id] else { return nil }
                for (key, value) in input where Self.projectWritable.contains(key) { fields[key] = value }
                fields["updated_at"] = .string(FreshBooksWorld.utcTimestamp(Date(), zulu: false))
                world.projects[id] = .object(fields)
                return .object(fields)
            }
            guard let updated else { return FreshBooksErrors.notFound(.projects, object: "project", field: "id", value: "\(id)") }
            fire("project.update", objectID: id)
            return SandboxHTTP.json(.ok, .object(["project": updated]))
        }
        router.delete("\(projects)/project/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            guard world.withLockedValue({ $0.projects.removeValue(forKey: id) }) != nil else { return FreshBooksErrors.notFound(.projects, object: "project", field: "id", value: "\(id)") }
            fire("project.delete", objectID: id)
            return Response(status: .noContent)
        }

        let time = "/timetracking/business/:business/time_entries"
        router.get(RouterPath(time)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            var list = world.withLockedValue { Array($0.timeEntries.values) }
            if let project = SandboxHTTP.queryValue(request, "project_id") { list = list.filter { $0["project_id"]?.text == project } }
            if let client = SandboxHTTP.queryValue(request, "client_id") { list = list.filter { $0["client_id"]?.text == client } }
            if let since = SandboxHTTP.queryValue(request, "updated_since") { list = list.filter { ($0["created_at"]?.text ?? "") >= since } }
            return metaPage(list, request: request, listName: "time_entries")
        }
        router.get("\(time)/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            guard let entry = world.withLockedValue({ $0.timeEntries[id] }) else { return FreshBooksErrors.notFound(.projects, object: "time_entry", field: "id", value: "") }
            return SandboxHTTP.json(.ok, .object(["time_entry": entry]))
        }
        router.post(RouterPath(time)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["time_entry"]?.object ?? [:]
            guard let duration = input["duration"]?.int, duration >= 0 else { return FreshBooksErrors.invalid(.projects, object: "time_entry", field: "duration", message: "field required") }
            guard let started = input["started_at"]?.text else { return FreshBooksErrors.invalid(.projects, object: "time_entry", field: "started_at", message: "field required") }
            let entry = world.withLockedValue { world -> JSONValue in
                let id = world.newID()
                var fields: [String: JSONValue] = [
                    "id": .int(id), "identity_id": .int(world.identityID), "is_logged": .bool(true), "started_at": .string(started),
                    "created_at": .string(FreshBooksWorld.utcTimestamp(Date())), "client_id": .null, "project_id": .null, "pending_client": .null, "pending_project": .null,
                    "pending_task": .null, "task_id": .null, "service_id": .null, "note": .null, "active": .bool(true), "billable": .bool(true), "billed": .bool(false),
                    "internal": .bool(false), "retainer_id": .null, "duration": .int(duration), "timer": .null,
                ]
                for key in ["identity_id", "is_logged", "client_id", "project_id", "service_id", "note", "billable", "internal"] where input[key] != nil { fields[key] = input[key] }
                world.timeEntries[id] = .object(fields)
                return .object(fields)
            }
            fire("time_entry.create", objectID: entry["id"]?.int ?? 0)
            return createResponse(SandboxHTTP.json(.ok, .object(["time_entry": entry])))
        }
    }

    /// Logs time on a project as a team member would in FreshBooks (demo and tests); returns its id.
    @discardableResult
    public func logTime(projectID: Int, clientID: Int?, seconds: Int, note: String?, startedAt: Date = Date()) -> Int? {
        let id = world.withLockedValue { world -> Int? in
            guard world.projects[projectID] != nil else { return nil }
            let id = world.newID()
            world.timeEntries[id] = .object([
                "id": .int(id), "identity_id": .int(world.identityID), "is_logged": .bool(true), "started_at": .string(FreshBooksWorld.utcTimestamp(startedAt)),
                "created_at": .string(FreshBooksWorld.utcTimestamp(Date())), "client_id": clientID.map { .int($0) } ?? .null, "project_id": .int(projectID),
                "pending_client": .null, "pending_project": .null, "pending_task": .null, "task_id": .null, "service_id": .null, "note": note.map { .string($0) } ?? .null,
                "active": .bool(true), "billable": .bool(true), "billed": .bool(false), "internal": .bool(false), "retainer_id": .null, "duration": .int(seconds), "timer": .null,
            ])
            return id
        }
        if let id { fire("time_entry.create", objectID: id) }
        return id
    }

    static let projectWritable: Set<String> = ["title", "description", "due_date", "client_id", "internal", "budget", "fixed_price", "rate", "billing_method", "project_type", "active", "complete", "group"]

    /// A project-like list page: `{"<name>": […], "meta": {total, per_page, page, pages, sort}}`.
    func metaPage(_ records: [JSONValue], request: Request, listName: String) -> Response {
        let sorted = records.sorted { ($0["id"]?.int ?? 0) < ($1["id"]?.int ?? 0) }
        let perPage = min(100, max(1, Int(SandboxHTTP.queryValue(request, "per_page") ?? "") ?? 30))
        let page = max(1, Int(SandboxHTTP.queryValue(request, "page") ?? "") ?? 1)
        let pages = max(1, (sorted.count + perPage - 1) / perPage)
        return SandboxHTTP.json(.ok, .object([
            listName: .array(Array(sorted.dropFirst(min(page - 1, pages) * perPage).prefix(perPage))),
            "meta": .object(["total": .int(sorted.count), "per_page": .int(perPage), "page": .int(page), "pages": .int(pages), "sort": .array([])]),
        ]))
    }
}
