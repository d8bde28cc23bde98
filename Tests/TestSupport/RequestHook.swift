import Hummingbird
import Sandbox

/// Awaits `before` with each request's method and path before the routes see it: a test's way
/// to act at one exact point of the calls a job makes (a person's edit while a bill is made).
struct BeforeEachRequest: RouterMiddleware {
    typealias Context = BasicRequestContext
    let before: @Sendable (_ method: String, _ path: String) async -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        await before(request.method.rawValue, request.uri.path)
        return try await next(request, context)
    }
}

extension SandboxServer {
    /// Serves on 127.0.0.1 the routes `addRoutes` puts on a fresh router, each request first
    /// handed to `before` (method, path), which the request waits for.
    public static func start(label: String, before: @escaping @Sendable (_ method: String, _ path: String) async -> Void,
                             routes addRoutes: (Router<BasicRequestContext>) -> Void) async throws -> SandboxServer {
        try await start(label: label) { router in
            // A router's middleware reaches only the routes added after it.
            router.add(middleware: BeforeEachRequest(before: before))
            addRoutes(router)
        }
    }
}
