import Foundation
import Hummingbird
import HTTPTypes

extension AsanaSandbox {
    /// The error envelope (digest B8): `{"errors": [{"message": …, "help": …}]}`.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        SandboxHTTP.json(status, .object(["errors": .array([.object(["message": .string(message), "help": .string("For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors")])])]))
    }

    /// What a 429 says (digest B8).
    static let rateLimitMessage = "You've made too many requests and hit a rate limit. Please retry after the given amount of time."

    /// A response that replaces a route's success.
    struct Refusal: Error {
        var response: Response
        init(_ response: Response) { self.response = response }
    }
}

/// Why a custom field write was refused.
struct FieldError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
