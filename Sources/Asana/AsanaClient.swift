import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// Calls the Asana API for one connection through the shared client shell: `{"data": …}`
/// bodies, `opt_fields` for exactly the fields read, `limit=100` paging by offset.
public struct AsanaClient: Sendable {
    /// The shared shell: pipeline, connection, resolved provider facts, Asana's envelopes.
    public let shell: VendorClient

    /// Creates a client.
    public init(pipeline: HTTPPipeline, connection: Connection) {
        shell = VendorClient(pipeline: pipeline, connection: connection, provider: AsanaProvider.description, dialect: AsanaError.dialect)
    }

    /// The pipeline every call goes through.
    public var pipeline: HTTPPipeline { shell.pipeline }
    /// The connection called for.
    public var connection: Connection { shell.connection }
    /// The provider facts, with the connection's own rate limit.
    public var provider: ProviderDescription { shell.provider }

    /// True when the connection holds an OAuth token (only those may use `external`).
    public var usesOAuth: Bool { connection.usesOAuth }

    /// The workspace this connection works in.
    public func workspaceGID() throws -> String {
        try connection.requiredSetting(.workspaceGID, fix: "connect it again to choose an Asana workspace")
    }

    struct DataEnvelope<Value: Decodable>: Decodable { var data: Value }
    struct ListEnvelope<Value: Decodable>: Decodable {
        var data: [Value]
        var next_page: NextPage?
    }
    struct NextPage: Decodable { var offset: String }

    /// Sends a request and decodes `data`.
    func send<Value: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], fields: [String]? = nil, body: (any Encodable & Sendable)? = nil,
                                as type: Value.Type) async throws -> Value {
        try await raw(method, path, query: query, fields: fields, body: body).decode(DataEnvelope<Value>.self).data
    }

    func raw(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], fields: [String]? = nil, body: (any Encodable & Sendable)? = nil) async throws -> InboundResponse {
        var query = query
        if let fields, !fields.isEmpty { query.append(("opt_fields", fields.joined(separator: ","))) }
        return try await shell.raw(method, path, query: query, body: body)
    }

    /// Every item of a list, page by page (`limit=100`, digest B4).
    func list<Item: Decodable & Sendable>(_ path: String, query: [(String, String)] = [], fields: [String], as type: Item.Type) -> Paged<Item> {
        Paged.tokens { [self] offset in
            var pageQuery = query + [("limit", "100")]
            if let offset { pageQuery.append(("offset", offset)) }
            let page = try await raw(.GET, path, query: pageQuery, fields: fields).decode(ListEnvelope<Item>.self)
            return (page.data, page.next_page?.offset)
        }
    }
}

/// Asana's error envelope, `{"errors": [{"message": …}]}`, as `ConnectorError`s.
enum AsanaError {
    /// Asana's dialect for the client shell: bodies go inside `{"data": …}`.
    static let dialect = VendorDialect(errorStatuses: [400, 402, 403, 404, 412], wrapBody: { DataBody(data: $0) }, mapError: map)

    /// `{"data": body}`.
    struct DataBody: Encodable, Sendable {
        let data: any Encodable & Sendable

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(data, forKey: .data)
        }

        enum Key: String, CodingKey { case data }
    }

    static func map(_ response: InboundResponse, path: String) -> ConnectorError {
        struct Body: Decodable {
            struct Item: Decodable { var message: String }
            var errors: [Item]
        }
        let message = (try? JSONDecoder().decode(Body.self, from: Data(buffer: response.body)))?.errors.map(\.message).joined(separator: "; ") ?? String(buffer: response.body)
        let field = message.split(separator: ":", maxSplits: 1).first.map(String.init).flatMap { $0.contains(" ") ? nil : $0 } ?? "request"
        switch response.status {
        case 404: return .notFound("Asana \(path): \(message)")
        case 402: return .permanent("Asana \(path) needs a premium workspace: \(message)")
        case 403: return .permanent("Asana refused \(path) (no access or a locked field): \(message)")
        case 412: return .conflict("Asana \(path): \(message)")
        default: return .validation(field: field, message: "Asana refused \(path): \(message)")
        }
    }
}
