import Foundation
import Hummingbird
import HTTPTypes

/// A response that replaces a route's success (a refused credential, a bad field).
struct JiraRefusal: Error {
    var response: Response
    init(_ response: Response) { self.response = response }
}

/// Who called, and through which door: the site root with Basic, or the OAuth gateway.
struct JiraCaller: Sendable {
    /// The user the credential belongs to.
    var user: JSONValue
    /// True for an OAuth 2.0 (3LO) token (dynamic webhooks need one, digest 3.7).
    var oauth: Bool
    /// 3, or 2 for the plain-text twin of the API.
    var version: Int
    /// The absolute prefix `self` links start with (`http://host/rest/api/3`).
    var base: String
}

extension JiraSandbox {
    /// Jira's `ErrorCollection` (digest 3.8): `{"errorMessages": […], "errors": {field: message}}`.
    static func error(_ status: HTTPResponse.Status, _ messages: String..., errors: [String: String] = [:]) -> Response {
        SandboxHTTP.json(status, .object(["errorMessages": .array(messages.map { .string($0) }), "errors": .object(errors.mapValues { .string($0) })]))
    }

    /// A 400 naming the field, as Jira words field errors.
    static func fieldError(_ field: String, _ message: String) -> JiraRefusal {
        JiraRefusal(error(.badRequest, errors: [field: message]))
    }

    /// Applies the fault plan, then the credential and the door; runs `work` for the caller.
    func answer(_ request: Request, _ work: (JiraCaller) async throws -> Response) async throws -> Response {
        do {
            return try await work(try await admit(request))
        } catch let refusal as JiraRefusal {
            return refusal.response
        }
    }

    /// The caller of a request, or the refusal: OAuth tokens only through `/ex/jira/{cloudid}`,
    /// Basic (email and API token) only at the site root (digest 3.1).
    func admit(_ request: Request) async throws -> JiraCaller {
        var caller: JiraCaller?
        let refusal = await faultGate.admit(request) {
            let path = request.uri.path
            let host = request.head.authority ?? "127.0.0.1"
            let header = request.headers[.authorization] ?? ""
            if path.hasPrefix("/ex/jira/") {
                let cloud = path.split(separator: "/").dropFirst(2).first.map(String.init) ?? ""
                guard header.hasPrefix("Bearer "), tokens.accepts(request), tokens.isOAuth(request) else {
                    return Self.error(.unauthorized, "Unauthorized; scope does not match")
                }
                guard cloud == cloudID else { return Self.error(.notFound, "Site not found for cloud id \(cloud)") }
                caller = JiraCaller(user: world.withLockedValue { $0.users[0] }, oauth: true, version: 3, base: "http://\(host)/ex/jira/\(cloud)/rest/api/3")
                return nil
            }
            guard header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
                  let colon = decoded.firstIndex(of: ":") else {
                return Self.error(.unauthorized, "Client must be authenticated to access this resource.")
            }
            let email = String(decoded[..<colon])
            let token = String(decoded[decoded.index(after: colon)...])
            guard let user = world.withLockedValue({ world in world.apiTokens[email] == token ? world.user(email: email) : nil }) else {
                return Self.error(.unauthorized, "Client must be authenticated to access this resource.")
            }
            let version = path.hasPrefix("/rest/api/2") ? 2 : 3
            caller = JiraCaller(user: user, oauth: false, version: version, base: "http://\(host)/rest/api/\(version)")
            return nil
        }
        if let refusal { throw JiraRefusal(refusal) }
        guard let caller else { throw JiraRefusal(Self.error(.unauthorized, "Client must be authenticated to access this resource.")) }
        return caller
    }
}
