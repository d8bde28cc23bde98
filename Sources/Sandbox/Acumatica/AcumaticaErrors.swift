import Foundation
import Hummingbird
import HTTPTypes

extension AcumaticaSandbox {
    /// The `HttpError` body (api digest 2.5): `{"message", "exceptionMessage", "exceptionType", …}`.
    static func httpError(_ status: HTTPResponse.Status, _ message: String, exception: String? = nil) -> Response {
        var body: [String: JSONValue] = ["message": .string(message)]
        if let exception {
            body["exceptionMessage"] = .string(exception)
            body["exceptionType"] = .string("PX.Api.ContractBased.OutcomeEntityHasErrorsException")
        }
        return SandboxHTTP.json(status, .object(body))
    }

    /// A 422: the entity echoed back with `error` under the offending field (digest 2.5).
    static func fieldErrors(_ entity: JSONValue, _ errors: [String: String]) -> Response {
        var echoed = entity
        for (field, message) in errors {
            var wrapped = echoed[field] ?? .object([:])
            wrapped["error"] = .string(message)
            echoed[field] = wrapped
        }
        return SandboxHTTP.json(.unprocessableContent, echoed)
    }

    /// What a request past the licence's per-minute limit reads (digest 2.9).
    static let requestLimitMessage = "The number of API requests per minute has exceeded the limit set by the license."

    /// The answer to an endpoint or version the instance does not run (❓ digest 2.2: believed 404).
    static func noSuchEndpoint(_ path: String) -> Response {
        httpError(.notFound, "No HTTP resource was found that matches the request URI '\(path)'.")
    }
}
