import Hummingbird
import Sandbox

/// A Hummingbird server on 127.0.0.1 with a free port, for a test's fake vendor: the same
/// server the sandboxes run on.
public typealias LoopbackServer = SandboxServer

/// Serves `router` on loopback for `body`, and stops it before returning, also when `body` throws.
public func withSandboxServer<Value>(
    _ router: Router<BasicRequestContext>,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SandboxServer) async throws -> Value
) async throws -> Value {
    try await withStarted({ try await SandboxServer.start(router) }, stop: { await $0.stop() }, body)
}

/// Hands a vendor sandbox just served (`withSandbox(try await FreshBooksSandbox.serve()) { sandbox, server in … }`)
/// to `body`, and stops its server before returning, also when `body` throws.
public func withSandbox<Vendor, Value>(
    _ served: (sandbox: Vendor, server: SandboxServer),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Vendor, SandboxServer) async throws -> Value
) async throws -> Value {
    try await withStarted({ served }, stop: { await $0.server.stop() }) { try await body($0.sandbox, $0.server) }
}
