import Foundation
import Hummingbird
import HTTPTypes

extension AcumaticaSandbox {
    /// `POST /{Entity}/{Action}` with `{"entity": {keys}, "parameters": {}}` (api digest 2.6):
    /// `ReleaseBill` on a balanced bill, `Approve` on a bill or order pending approval. The
    /// answer is 202 with a `Location` to poll; the change lands when a poll answers 204.
    func invoke(_ entity: AcumaticaWorld.Entity, action: String, body: JSONValue, request: Request) -> Response {
        let target = body["entity"] ?? .object([:])
        let found: (index: Int, record: JSONValue)? = world.withLockedValue { world in
            let index = target["id"]?.text.flatMap { world.index(of: entity, id: $0) } ?? world.index(of: entity, keys: AcumaticaWorld.keys(of: target, entity: entity))
            return index.flatMap { index in (world.records[entity]?[index]).map { (index, $0) } }
        }
        guard let found else { return Self.httpError(.notFound, "No entity satisfies the condition.") }
        let status = found.record["Status"]?["value"]?.text ?? ""
        switch (entity, action) {
        case (.Bill, "ReleaseBill"):
            guard status == "Balanced" else { return Self.fieldErrors(found.record, ["Status": "The document is \(status) and cannot be released."]) }
        case (.Bill, "Approve"), (.PurchaseOrder, "Approve"):
            guard status == "Pending Approval" else { return Self.fieldErrors(found.record, ["Status": "The document is \(status), not Pending Approval."]) }
        default:
            return Self.httpError(.badRequest, "The action \(action) is not defined for \(entity.rawValue) in this sandbox.")
        }
        let operation = UUID().uuidString.lowercased()
        let polls = world.withLockedValue { world in
            world.running[operation] = .init(entity: entity, keys: AcumaticaWorld.keys(of: found.record, entity: entity), action: action, remainingPolls: world.configuration.actionPolls)
            return world.configuration.actionPolls
        }
        if polls == 0 {
            finish(operation)
            return Response(status: .noContent)
        }
        let location = "\(Self.root(of: request))/entity/Default/\(configuration.endpointVersion)/\(entity.rawValue)/\(action)/status/\(operation)"
        return Response(status: .accepted, headers: [.location: location])
    }

    /// `GET …/{Action}/status/{GUID}`: 202 while running, then 204 once the change has landed.
    func actionStatus(_ request: Request, operation: String) -> Response {
        let remaining: Int? = world.withLockedValue { world in
            guard var running = world.running[operation] else { return nil }
            running.remainingPolls -= 1
            world.running[operation] = running
            return running.remainingPolls
        }
        guard let remaining else { return Response(status: .noContent) }
        if remaining > 0 { return Response(status: .accepted, headers: [.location: Self.root(of: request) + request.uri.path]) }
        finish(operation)
        return Response(status: .noContent)
    }

    /// Applies a finished action's change and pushes it.
    private func finish(_ operation: String) {
        let change: (AcumaticaWorld.Entity, JSONValue, JSONValue)? = world.withLockedValue { world in
            guard let running = world.running.removeValue(forKey: operation), let index = world.index(of: running.entity, keys: running.keys) else { return nil }
            let fields: [String: JSONValue] = switch (running.entity, running.action) {
            case (.Bill, "ReleaseBill"): ["Status": .string("Open")]
            case (.Bill, _): ["Status": .string("Balanced"), "Hold": .bool(false)]
            default: ["Status": .string("Open"), "Hold": .bool(false)]
            }
            return world.set(running.entity, at: index, fields).map { (running.entity, $0.before, $0.after) }
        }
        if let change { notifyPush(change.0, before: change.1, after: change.2) }
    }

    /// `http://127.0.0.1:port`, from the request's Host.
    static func root(of request: Request) -> String {
        "http://" + (request.head.authority ?? "127.0.0.1")
    }
}
