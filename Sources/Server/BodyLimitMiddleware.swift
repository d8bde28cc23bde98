import Hummingbird
import HTTPTypes

/// Refuses a body larger than `limit` on every route except those under `exempt` (the webhook
/// route reads its body with its own limit), judged by `Content-Length` before anything reads it.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    let exempt: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !request.uri.path.hasPrefix(exempt) {
            let declared = request.headers[.contentLength].flatMap(Int.init) ?? 0
            let chunked = request.headers[.transferEncoding]?.lowercased().contains("chunked") ?? false
            if declared > limit || (chunked && limit == 0) {
                return WebhookIngress.json(.contentTooLarge, ["error": "this route accepts at most \(limit) bytes of body"])
            }
        }
        return try await next(request, context)
    }
}
