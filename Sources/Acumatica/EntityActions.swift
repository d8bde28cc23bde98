import ConnectorKit
import Foundation

/// The body of an action call: the record's keys (or `id`) and the action's parameters
/// (api digest 2.6; swagger `ReleaseBill{entity}`, `BillCustomAction{entity,parameters}`).
struct ActionInvocation<Keys: Encodable & Sendable>: Encodable, Sendable {
    var entity: Keys
    var parameters: [String: String] = [:]
}

extension AcumaticaClient {
    /// `POST /{Entity}/{Action}` and, while it answers 202, polls its `Location` until 204.
    ///
    /// - Throws: `ConnectorError.transient` when the action is still running after
    ///   `actionTimeout` (it may still finish; read the record to see).
    public func invoke(_ entity: String, action: String, keys: some Encodable & Sendable) async throws {
        let response = try await raw(.POST, "\(endpointPath)/\(entity)/\(action)", body: ActionInvocation(entity: keys), repeatable: false)
        guard response.status == 202 else { return }
        guard let location = response.headers.first(name: "Location") else {
            throw ConnectorError.permanent("Acumatica answered 202 to \(entity)/\(action) without a Location to poll")
        }
        try await waitForAction(at: try path(of: location), named: "\(entity)/\(action)")
    }

    /// Polls `{instance}/entity/…/{Action}/status/{GUID}`: 202 still running, 204 done.
    private func waitForAction(at path: String, named name: String) async throws {
        let started = ContinuousClock.now
        while true {
            let status = try await raw(.GET, path).status
            if status != 202 { return }
            guard ContinuousClock.now - started < actionTimeout else {
                throw ConnectorError.transient("Acumatica \(name) still running after \(actionTimeout.components.seconds) s; read the record to see whether it finished")
            }
            try await Task.sleep(for: actionPollInterval)
        }
    }

    /// The path of a `Location` under the instance root; an absolute URL must point at this instance.
    private func path(of location: String) throws -> String {
        guard location.contains("://") else { return location }
        let root = try shell.url("")
        guard location.hasPrefix(root) else {
            throw ConnectorError.permanent("Acumatica's action Location \(location) is not on the instance \(root)")
        }
        return String(location.dropFirst(root.count))
    }
}

extension AcumaticaClient {
    /// Runs `action` on a record and reads it back. Acumatica refuses an action on a record it
    /// has already moved on (ReleaseBill on an `Open` bill answers 422), so a retry after the
    /// action ran but its answer or its 202 wait was lost would fail for good; when the refused
    /// record is already where the action takes it (`done`), that record is the answer.
    func invokeOnce<Record: Sendable>(_ entity: String, action: String, keys: some Encodable & Sendable,
                                      read: () async throws -> Record, done: (Record) -> Bool) async throws -> Record {
        do {
            try await invoke(entity, action: action, keys: keys)
        } catch ConnectorError.validation(let field, let message) {
            let current = try await read()
            guard done(current) else { throw ConnectorError.validation(field: field, message: message) }
            return current
        }
        return try await read()
    }
}
