import Foundation
import Hummingbird
import HTTPTypes

/// The error bodies QuickBooks sends (api digest 1.8): `Fault.Error[]` with capitalised keys for
/// validation and system faults, and the lower-case `fault.error[]` shape on 401s.
enum QuickBooksErrors {
    /// `{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"}, "time"}`.
    static func fault(_ status: HTTPResponse.Status, code: String, message: String, detail: String? = nil, element: String = "", type: String = "ValidationFault") -> Response {
        SandboxHTTP.json(status, .object([
            "Fault": .object([
                "Error": .array([.object(["Message": .string(message), "Detail": .string(detail ?? message), "code": .string(code), "element": .string(element)])]),
                "type": .string(type),
            ]),
            "time": .string(QuickBooksWorld.timestamp(Date())),
        ]))
    }

    /// A validation fault (HTTP 400).
    static func invalid(_ code: String, _ message: String, detail: String? = nil, element: String = "") -> Response {
        fault(.badRequest, code: code, message: message, detail: detail, element: element)
    }

    /// 5010: the SyncToken sent is not the entity's current one (api digest 1.5).
    static func stale(entity: String, id: String) -> Response {
        invalid("5010", "Stale Object Error", detail: "Stale Object Error : You and sandbox were working on this at the same time. sandbox finished before you did, so your work was not saved.")
    }

    /// 610: no such object.
    static func notFound(_ entity: String, id: String) -> Response {
        invalid("610", "Object Not Found", detail: "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.")
    }

    /// The 401 QBO sends for an expired or revoked token: lower-case keys (api digest 1.8).
    static func unauthorized(_ reason: String) -> Response {
        var response = SandboxHTTP.json(.unauthorized, .object([
            "warnings": .null, "intuitObject": .null,
            "fault": .object([
                "error": .array([.object([
                    "message": .string("message=AuthenticationFailed; errorCode=003200; statusCode=401"), "detail": .string("Token \(reason)"), "code": .string("3200"), "element": .null,
                ])]),
                "type": .string("AUTHENTICATION"),
            ]),
            "time": .string(QuickBooksWorld.timestamp(Date())),
        ]))
        response.headers[.wwwAuthenticate] = "Bearer realm=\"Intuit\", error=\"invalid_token\""
        return response
    }

    /// 429 when over the per-realm limits (api digest 1.8); QBO sends no Retry-After of its own.
    static func throttled() -> Response {
        fault(.tooManyRequests, code: "003001", message: "ThrottleExceeded", detail: "ThrottleExceeded: the request rate for this realm is over its limit", type: "SERVICE")
    }

    /// The token endpoint's error body (api digest 1.1).
    static func tokenError(_ error: String, _ description: String, status: HTTPResponse.Status = .badRequest) -> Response {
        SandboxHTTP.json(status, .object(["error": .string(error), "error_description": .string(description)]))
    }
}
