import ConnectorKit
import Foundation
import Sandbox
import Store

/// One vendor sandbox, started for `demo` or `ml-connector sandbox`: where it listens, how to
/// describe it to a person or a script, and a demo connection to it.
public protocol DemoSandbox: Sendable {
    /// The system it emulates.
    var system: SystemKind { get }
    /// The loopback server.
    var server: SandboxServer { get }
    /// API calls it has answered so far.
    var apiCalls: Int { get }
    /// URLs, app credentials and ids, for `sandbox --json`.
    func describe() -> [String: Any]
    /// The same for a person.
    func describeLines() -> [String]
    /// A connection to it, as `connection add` would make one, with its credential.
    func demoConnection(id: String) -> (Connection, Credential)
}

extension DemoSandbox {
    /// Stops it.
    public func stop() async { await server.stop() }
}

/// Every sandbox this build bundles, started together.
public struct DemoSandboxes: Sendable {
    /// The started sandboxes, in registry order.
    public let all: [any DemoSandbox]

    /// Starts each registered sandbox; with a `port`, each takes the next one. `samples` seeds
    /// sample records for a person trying the CLI (the demo starts from empty accounts).
    public static func start(port: Int = 0, samples: Bool = false) async throws -> DemoSandboxes {
        var started: [any DemoSandbox] = []
        for (index, start) in DemoRegistry.sandboxes.enumerated() {
            started.append(try await start(port == 0 ? 0 : port + index, samples))
        }
        return DemoSandboxes(all: started)
    }

    /// The sandbox of one kind.
    public func sandbox<Kind: DemoSandbox>(_ kind: Kind.Type) throws -> Kind {
        guard let found = all.compactMap({ $0 as? Kind }).first else { throw ConnectorError.permanent("the demo has no \(Kind.self) running") }
        return found
    }

    /// API calls answered, by system.
    public var apiCalls: [String: Int] {
        Dictionary(all.map { ($0.system.rawValue, $0.apiCalls) }, uniquingKeysWith: +)
    }

    /// Stops them all.
    public func stop() async {
        for sandbox in all { await sandbox.stop() }
    }
}
