import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// Calls the FreshBooks API for one connection through the shared client shell.
///
/// Accounting and events paths take the connection's `account_id`; projects and time entries
/// its `business_id` (digest A3), both stored on the connection when it was connected.
public struct FreshBooksClient: Sendable {
    /// The shared shell: pipeline, connection, resolved provider facts, FreshBooks' error shapes.
    public let shell: VendorClient

    /// Creates a client for a connected account.
    public init(pipeline: HTTPPipeline, connection: Connection) {
        shell = VendorClient(pipeline: pipeline, connection: connection, provider: FreshBooksProvider.description, dialect: FreshBooksError.dialect)
    }

    /// The pipeline every call goes through.
    public var pipeline: HTTPPipeline { shell.pipeline }
    /// The connection called for.
    public var connection: Connection { shell.connection }
    /// The provider facts, with the connection's own rate limit.
    public var provider: ProviderDescription { shell.provider }

    /// The accounting tenant key.
    public func accountID() throws -> String {
        if let account = connection.accountRef { return account }
        return try connection.requiredSetting(.accountID, fix: "connect it again to choose a business")
    }

    /// The projects/time tenant key.
    public func businessID() throws -> String {
        try connection.requiredSetting(.businessID, fix: "connect it again to choose a business")
    }

    /// Sends a request and decodes the body; FreshBooks' own error bodies become errors that
    /// name the field (digest A4).
    func send<Response: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil, idempotencyKey: String? = nil, as type: Response.Type) async throws -> Response {
        try await shell.send(method, path, query: query, body: body, idempotencyKey: idempotencyKey, as: type)
    }

    /// Sends a request and returns the 2xx response.
    func raw(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil, idempotencyKey: String? = nil) async throws -> InboundResponse {
        try await shell.raw(method, path, query: query, body: body, idempotencyKey: idempotencyKey)
    }
}

/// Turns FreshBooks' four error body shapes into `ConnectorError`s.
enum FreshBooksError {
    /// FreshBooks' dialect for the client shell.
    static let dialect = VendorDialect(errorStatuses: [400, 404, 409, 422], mapError: map)

    static func map(_ response: InboundResponse, path: String) -> ConnectorError {
        let (field, message) = describe(response.body)
        switch response.status {
        case 404: return .notFound("FreshBooks \(path): \(message)")
        case 409: return .conflict("FreshBooks \(path): \(message)")
        default: return .validation(field: field ?? "request", message: "FreshBooks refused \(path): \(message)")
        }
    }

    /// The first field and message found in any of the shapes (digest A4 decoder advice).
    static func describe(_ body: ByteBuffer) -> (field: String?, message: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            return (nil, String(buffer: body).prefix(300).description)
        }
        if let errors = (object["response"] as? [String: Any])?["errors"] as? [[String: Any]], let first = errors.first {
            return (first["field"] as? String, (first["message"] as? String) ?? "error \(first["errno"] ?? "")")
        }
        if let details = object["details"] as? [Any] {
            if let text = details.first as? String {
                let parts = text.split(separator: ":", maxSplits: 1)
                return (parts.count == 2 ? String(parts[0]) : nil, text)
            }
            if let detail = details.first as? [String: Any] {
                if let violations = detail["fieldViolations"] as? [[String: Any]], let first = violations.first {
                    return (first["field"] as? String, (first["description"] as? String) ?? "")
                }
                if let metadata = detail["metadata"] as? [String: Any] {
                    return (metadata["field"] as? String, (metadata["message"] as? String) ?? "")
                }
            }
        }
        if let error = object["error"] as? [String: Any], let first = error.first {
            return (first.key, "\(first.value)")
        }
        if let error = object["error"] as? String { return (nil, (object["error_description"] as? String) ?? error) }
        return (nil, (object["message"] as? String) ?? "unknown error")
    }
}

/// `{"response": {"result": {…}}}`, the accounting and events envelope.
struct ResultEnvelope<Result: Decodable>: Decodable {
    struct Inner: Decodable { var result: Result }
    var response: Inner
}

/// A single accounting object under its name.
struct Named<Value: Decodable>: Decodable {
    let value: Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let key = container.allKeys.first(where: { !["page", "pages", "per_page", "total"].contains($0.stringValue) }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no object in the result"))
        }
        value = try container.decode(Value.self, forKey: key)
    }
}

/// An accounting list page: items under their list name plus paging numbers.
struct AccountingPage<Item: Decodable>: Decodable {
    var items: [Item]
    var page: Int
    var pages: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        page = try container.decodeIfPresent(Int.self, forKey: AnyKey("page")) ?? 1
        pages = try container.decodeIfPresent(Int.self, forKey: AnyKey("pages")) ?? 1
        guard let key = container.allKeys.first(where: { !["page", "pages", "per_page", "total"].contains($0.stringValue) }) else {
            items = []
            return
        }
        items = try container.decode([Item].self, forKey: key)
    }
}

/// A project-like list page: items plus `meta`.
struct MetaPage<Item: Decodable>: Decodable {
    struct Meta: Decodable {
        var page: Int
        var pages: Int
    }

    var items: [Item]
    var meta: Meta

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        meta = try container.decode(Meta.self, forKey: AnyKey("meta"))
        let key = container.allKeys.first { $0.stringValue != "meta" }
        items = try key.map { try container.decode([Item].self, forKey: $0) } ?? []
    }
}
