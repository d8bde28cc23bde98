import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// Editing and deleting a time entry (`PUT`/`DELETE /timetracking/business/<id>/time_entries/<id>`,
    /// api digest A6): `time_entry.update` and `time_entry.delete`.
    func addTimeEntryEditRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let time = "/timetracking/business/:business/time_entries/:id"
        router.put(RouterPath(time)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            let input = try await SandboxHTTP.jsonBody(request)["time_entry"]?.object ?? [:]
            guard let entry = editTimeEntry(id: id, input) else { return FreshBooksErrors.notFound(.projects, object: "time_entry", field: "id", value: "\(id)") }
            fire("time_entry.update", objectID: id)
            return SandboxHTTP.json(.ok, .object(["time_entry": entry]))
        }
        router.delete(RouterPath(time)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .projects, business: try context.parameters.require("business")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            guard world.withLockedValue({ $0.timeEntries.removeValue(forKey: id) }) != nil else {
                return FreshBooksErrors.notFound(.projects, object: "time_entry", field: "id", value: "\(id)")
            }
            fire("time_entry.delete", objectID: id)
            return Response(status: .noContent)
        }
    }

    func editTimeEntry(id: Int, _ input: [String: JSONValue]) -> JSONValue? {
        world.withLockedValue { world in
            guard case .object(var fields)? = world.timeEntries[id] else { return nil }
            for key in ["started_at", "duration", "note", "project_id", "client_id", "billable"] where input[key] != nil { fields[key] = input[key] }
            // The list's `updated_since` reads `created_at` here; an edit counts as a change.
            fields["created_at"] = .string(FreshBooksWorld.utcTimestamp(Date()))
            world.timeEntries[id] = .object(fields)
            return .object(fields)
        }
    }

    /// Logs time as a team member would (demo and tests), with `started_at` as FreshBooks
    /// writes it (a wall time, given here as text); returns its id.
    @discardableResult
    public func logTime(startedAt: String, seconds: Int, note: String?, projectID: Int? = nil) -> Int {
        let id = world.withLockedValue { world -> Int in
            let id = world.newID()
            world.timeEntries[id] = .object([
                "id": .int(id), "identity_id": .int(world.identityID), "is_logged": .bool(true), "started_at": .string(startedAt),
                "created_at": .string(FreshBooksWorld.utcTimestamp(Date())), "client_id": .null, "project_id": projectID.map { .int($0) } ?? .null,
                "note": note.map { .string($0) } ?? .null, "active": .bool(true), "billable": .bool(true), "billed": .bool(false), "internal": .bool(false),
                "duration": .int(seconds), "timer": .null,
            ])
            return id
        }
        fire("time_entry.create", objectID: id)
        return id
    }

    /// Changes a time entry's length or note (demo and tests): `time_entry.update`.
    @discardableResult
    public func editTime(id: Int, seconds: Int? = nil, note: String? = nil) -> Bool {
        var input: [String: JSONValue] = [:]
        if let seconds { input["duration"] = .int(seconds) }
        if let note { input["note"] = .string(note) }
        guard editTimeEntry(id: id, input) != nil else { return false }
        fire("time_entry.update", objectID: id)
        return true
    }

    /// Deletes a time entry (demo and tests): `time_entry.delete`.
    @discardableResult
    public func deleteTime(id: Int) -> Bool {
        guard world.withLockedValue({ $0.timeEntries.removeValue(forKey: id) }) != nil else { return false }
        fire("time_entry.delete", objectID: id)
        return true
    }
}
