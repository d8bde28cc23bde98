import ConnectorKit
import Engine
import Foundation
import Store

/// Runs one system action as a job (`ml-connector <system> <action> --queue`): one payload and
/// one path for every system, the connection's own connector doing the work.
public struct SystemActionJob: JobHandler {
    public let kind = SystemJobKind.action
    let catalog: SystemCatalog

    /// Creates the job handler.
    public init(catalog: SystemCatalog) {
        self.catalog = catalog
    }

    /// The action and its arguments.
    public struct Payload: Codable, Sendable {
        public var connectionID: String
        public var action: String
        public var arguments: ActionArguments

        /// Creates a payload.
        public init(connectionID: String, action: String, arguments: ActionArguments) {
            self.connectionID = connectionID
            self.action = action
            self.arguments = arguments
        }
    }

    /// The job that runs `action` for `connection`: retried only when running it twice is
    /// harmless; a create without a key to look up runs once, and a failure waits for `replay`.
    public static func request(connection: Connection, action: ActionDescriptor, arguments: ActionArguments) throws -> JobRequest {
        try JobRequest(kind: SystemJobKind.action, tenant: connection.tenant, connectionID: connection.id,
                       payload: Payload(connectionID: connection.id, action: action.name, arguments: arguments), maxAttempts: action.safeToRepeat ? 5 : 1)
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        let connection = try await context.requireConnection(payload.connectionID)
        let action = try catalog.require(connection.system).action(named: payload.action)
        let result = try await action.run(ActionCall(pipeline: catalog.pipeline, connection: connection, arguments: payload.arguments, now: context.now))
        return JobOutcome(targetRef: result.firstRef, action: "\(connection.system) \(payload.action)")
    }
}
