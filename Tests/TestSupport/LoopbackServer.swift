import Sandbox

/// A Hummingbird server on 127.0.0.1 with a free port, for a test's fake vendor: the same
/// server the sandboxes run on.
public typealias LoopbackServer = SandboxServer
