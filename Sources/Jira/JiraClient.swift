import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// Calls Jira Cloud's REST API v3 for one connection through the shared client shell: paths
/// under `/rest/api/3` at the connection's `api` base URL (the site root, or the OAuth gateway
/// by cloud id), and Jira's `errorMessages`/`errors` error body.
public struct JiraClient: Sendable {
    /// The shared shell: pipeline, connection, resolved provider facts, Jira's error dialect.
    public let shell: VendorClient

    /// Creates a client.
    public init(pipeline: HTTPPipeline, connection: Connection) {
        shell = VendorClient(pipeline: pipeline, connection: connection, provider: JiraProvider.description, dialect: JiraError.dialect)
    }

    /// The pipeline every call goes through.
    public var pipeline: HTTPPipeline { shell.pipeline }
    /// The connection called for.
    public var connection: Connection { shell.connection }

    /// Sends a request to `/rest/api/3<path>` and decodes the answer; `repeatable: true` marks a
    /// read sent as POST, which the pipeline may send again after a lost answer.
    func send<Value: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
                                repeatable: Bool? = nil, as type: Value.Type) async throws -> Value {
        try await shell.raw(method, JiraProvider.restPath + path, query: query, body: body, repeatable: repeatable).decode(type)
    }

    /// Sends a request to `/rest/api/3<path>` whose answer has no body to read (204, 202).
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil) async throws -> InboundResponse {
        try await shell.raw(method, JiraProvider.restPath + path, query: query, body: body)
    }

    /// Jira's error body, read for the shell: `errors` name fields, `errorMessages` say the rest.
    static func decodeError(_ response: InboundResponse) -> (fields: [String: String], messages: [String]) {
        struct Body: Decodable {
            var errorMessages: [String]?
            var errors: [String: String]?
        }
        let body = try? JSONDecoder().decode(Body.self, from: Data(buffer: response.body))
        return (body?.errors ?? [:], body?.errorMessages ?? [])
    }
}

/// Jira's `ErrorCollection` (digest 3.8) as `ConnectorError`s: a field error names the field.
enum JiraError {
    /// Jira's dialect for the client shell: bodies are sent as they are.
    static let dialect = VendorDialect(errorStatuses: [400, 403, 404, 409, 413, 422], mapError: map)

    static func map(_ response: InboundResponse, path: String) -> ConnectorError {
        let (fields, messages) = JiraClient.decodeError(response)
        let all = messages + fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        let message = all.isEmpty ? String(buffer: response.body).prefix(300).description : all.joined(separator: "; ")
        switch response.status {
        case 404: return .notFound("Jira \(path): \(message)")
        // Jira: 403 is a missing permission or scope ("scope does not match", digest 3.8).
        case 403: return .permanent("Jira refused \(path) (permission or scope missing): \(message)")
        case 409: return .conflict("Jira \(path): \(message)")
        case 413: return .permanent("Jira \(path): the issue's limit was reached: \(message)")
        default: return .validation(field: fields.keys.sorted().first ?? "request", message: "Jira refused \(path): \(message)")
        }
    }
}
