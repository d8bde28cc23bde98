import ConnectorKit
import Engine
import Foundation
import Store

/// Runs one system action as a job (`ml-connector <system> <action> --queue`): the same payload
/// and path for every system, the system's own action runner doing the work.
public struct SystemActionJob: JobHandler {
    public let kind: String
    /// Runs the action; returns the record it wrote or read first, for the audit trail.
    let perform: @Sendable (_ connection: Connection, _ action: String, _ arguments: ActionArguments, _ now: Date) async throws -> String?

    /// Creates the job for a system: `kind` is `<system>.action`.
    public init(system: SystemKind, perform: @escaping @Sendable (Connection, String, ActionArguments, Date) async throws -> String?) {
        self.kind = Self.kind(for: system)
        self.perform = perform
    }

    /// The job kind of a system's actions.
    public static func kind(for system: SystemKind) -> String { "\(system.rawValue).action" }

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

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        let connection = try await context.requireConnection(payload.connectionID)
        let target = try await perform(connection, payload.action, payload.arguments, context.now)
        return JobOutcome(targetRef: target, action: "\(connection.system) \(payload.action)")
    }
}
