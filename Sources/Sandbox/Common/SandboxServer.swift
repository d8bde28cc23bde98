import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A sandbox served on loopback.
public final class SandboxServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    private init(port: Int, task: Task<Void, any Error>, group: ServiceGroup) {
        self.port = port
        self.task = task
        self.group = group
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Serves `router` on 127.0.0.1 (`port` 0 picks a free one) and returns once it listens.
    public static func start(_ router: Router<BasicRequestContext>, port: Int = 0, label: String = "sandbox") async throws -> SandboxServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: label)
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: label),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            if let error = await task.result.failure { throw error }
            throw CancellationError()
        }
        return SandboxServer(port: bound, task: task, group: group)
    }

    /// Serves on 127.0.0.1 the routes `addRoutes` puts on a fresh router: how every vendor
    /// sandbox's `serve` starts.
    public static func start(port: Int = 0, label: String, routes addRoutes: (Router<BasicRequestContext>) -> Void) async throws -> SandboxServer {
        let router = Router()
        addRoutes(router)
        return try await start(router, port: port, label: label)
    }

    /// Stops serving: open requests finish, then the port closes.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
