import ConnectorKit
import Engine
import Foundation

/// What this build knows of the external systems: a list of `SystemConnector`s, the pipeline
/// their clients use and the URL vendors reach this server at. Server and CLI read it; nothing
/// else in the codebase switches on the system.
public struct SystemCatalog: Sendable {
    /// The systems, in the order they are shown to a user.
    public let connectors: [any SystemConnector]
    /// The pipeline every system client uses.
    public let pipeline: HTTPPipeline
    /// The URL vendors reach this server at, for webhook registration (nil: no webhooks).
    public let publicURL: String?

    /// Creates the catalogue of `connectors` (the registered systems by default).
    public init(connectors: [any SystemConnector] = Registry.systems, pipeline: HTTPPipeline, publicURL: String?) {
        self.connectors = connectors
        self.pipeline = pipeline
        self.publicURL = publicURL?.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    /// The connector of `system`, if this build has it.
    public func connector(for system: SystemKind) -> (any SystemConnector)? {
        connectors.first { $0.system == system }
    }

    /// The connector of `system`; the error lists the systems there are.
    public func require(_ system: SystemKind) throws -> any SystemConnector {
        guard let connector = connector(for: system) else {
            throw ConnectorError.validation(field: "system", message: "'\(system)' is not a system this build knows; use one of: \(connectors.map(\.system.rawValue).joined(separator: ", "))")
        }
        return connector
    }

    /// The registered connector of `system`, without a pipeline (for help and argument checks).
    public static func registered(_ system: SystemKind) throws -> any SystemConnector {
        guard let connector = Registry.systems.first(where: { $0.system == system }) else {
            throw ConnectorError.validation(field: "system", message: "'\(system)' is not a system this build knows; use one of: \(Registry.systems.map(\.system.rawValue).joined(separator: ", "))")
        }
        return connector
    }

    /// The feed `name` of a connection.
    public func feed(named name: String, connection: Connection) -> (any ChangeFeed)? {
        connector(for: connection.system)?.feed(named: name, pipeline: pipeline, connection: connection)
    }

    /// Every webhook verifier.
    public var verifiers: [any WebhookVerifier] { connectors.compactMap(\.verifier) }

    /// The jobs every system shares; `routableKinds` are the integration change-job kinds polls route to.
    public func handlers(routableKinds: Set<String>) -> [any JobHandler] {
        [PollJob(catalog: self, routableKinds: routableKinds), WebhookUpkeepJob(catalog: self), WebhookConfirmJob(catalog: self), SystemActionJob(catalog: self)]
    }
}
