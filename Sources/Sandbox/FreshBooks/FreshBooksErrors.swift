import Foundation
import Hummingbird

/// The error bodies FreshBooks sends, one shape per path family (api digest A4), so clients
/// meet the same variety they will meet in production.
enum FreshBooksErrors {
    /// Which family a path belongs to.
    enum Family: Sendable {
        case auth, accounting, events, projects
    }

    static func unauthorized(_ family: Family) -> Response {
        switch family {
        case .auth:
            SandboxHTTP.json(.unauthorized, .object(["error": .string("unauthenticated"), "error_description": .string("This action requires authentication to continue.")]))
        case .events, .accounting:
            SandboxHTTP.json(.unauthorized, .object(["errno": .int(401), "message": .string("invalid_token: The request token failed to authenticate or validate.")]))
        case .projects:
            SandboxHTTP.json(.unauthorized, .object(["message": .string("The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.")]))
        }
    }

    static func notFound(_ family: Family, object: String, field: String, value: String) -> Response {
        switch family {
        case .accounting:
            SandboxHTTP.json(.notFound, .object(["response": .object(["errors": .array([.object([
                "errno": .int(1012), "field": .string(field), "message": .string("\(object.capitalized) not found."), "object": .string(object), "value": .string(value),
            ])])])]))
        case .events:
            SandboxHTTP.json(.notFound, .object(["errno": .int(404), "message": .string("Requested resource could not be found.")]))
        case .projects, .auth:
            SandboxHTTP.json(.notFound, .object(["error": .string("Requested resource could not be found.")]))
        }
    }

    static func invalid(_ family: Family, object: String, field: String, message: String) -> Response {
        switch family {
        case .accounting, .auth:
            SandboxHTTP.json(.unprocessableContent, .object(["response": .object(["errors": .array([.object([
                "errno": .int(1001), "field": .string(field), "message": .string(message), "object": .string(object), "value": .string(""),
            ])])])]))
        case .events:
            SandboxHTTP.json(.badRequest, .object(["errno": .int(422), "message": .string("The request was well-formed but was unable to be followed due to semantic errors."),
                                                   "details": .array([.string("\(field): \(message)")])]))
        case .projects:
            SandboxHTTP.json(.badRequest, .object(["errno": .int(2001), "error": .object([field: .string(message)])]))
        }
    }

    static func tokenError(_ description: String) -> Response {
        SandboxHTTP.json(.unauthorized, .object(["error": .string("invalid_grant"), "error_description": .string(description)]))
    }
}
