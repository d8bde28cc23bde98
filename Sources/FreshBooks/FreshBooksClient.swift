import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// Calls the FreshBooks API for one connection through the shared HTTP pipeline.
///
/// Accounting and events paths take the connection's `account_id`; projects and time entries
/// its `business_id` (digest A3), both stored on the connection when it was connected.
public struct FreshBooksClient: Sendable {
    /// The pipeline every call goes through.
    public let pipeline: HTTPPipeline
    /// The connection called for.
    public let connection: Connection
    /// The provider facts, with the connection's own rate limit.
    public let provider: ProviderDescription

    /// Creates a client for a connected account.
    public init(pipeline: HTTPPipeline, connection: Connection) {
        self.pipeline = pipeline
        self.connection = connection
        self.provider = FreshBooksProvider.description(for: connection)
    }

    /// The accounting tenant key.
    public func accountID() throws -> String {
        guard let account = connection.accountRef ?? connection.settings["account_id"] else {
            throw ConnectorError.validation(field: "connection.account_id", message: "connection \(connection.id) has no FreshBooks account_id; connect it again to choose a business")
        }
        return account
    }

    /// The projects/time tenant key.
    public func businessID() throws -> String {
        guard let business = connection.settings["business_id"] else {
            throw ConnectorError.validation(field: "connection.business_id", message: "connection \(connection.id) has no FreshBooks business_id; connect it again to choose a business")
        }
        return business
    }

    func url(_ path: String, query: [(String, String)] = []) throws -> String {
        let base = try connection.baseURL("api", provider: provider)
        guard !query.isEmpty else { return base + path }
        return base + path + "?" + query.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
    }

    /// Sends a request and decodes the body; FreshBooks' own error bodies become errors that
    /// name the field (digest A4).
    func send<Response: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (some Encodable)? = Optional<Int>.none, idempotencyKey: String? = nil, as type: Response.Type) async throws -> Response {
        let response = try await raw(method, path, query: query, body: body, idempotencyKey: idempotencyKey)
        return try response.decode(type)
    }

    /// Sends a request and returns the 2xx response.
    func raw(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (some Encodable)? = Optional<Int>.none, idempotencyKey: String? = nil) async throws -> InboundResponse {
        var request = OutboundRequest(method: method, url: try url(path, query: query), idempotencyKey: idempotencyKey, passThroughStatuses: [400, 404, 409, 422])
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = ByteBuffer(bytes: try JSONEncoder().encode(body))
        }
        let response = try await pipeline.send(request, connection: connection, provider: provider)
        guard (200..<300).contains(response.status) else { throw FreshBooksError.map(response, path: path) }
        return response
    }
}

/// Turns FreshBooks' four error body shapes into `ConnectorError`s.
enum FreshBooksError {
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

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Pages through a list until the last page: an async sequence over every item.
public struct Paged<Item: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item
    let fetch: @Sendable (Int) async throws -> (items: [Item], pages: Int)

    public func makeAsyncIterator() -> Iterator { Iterator(fetch: fetch) }

    /// Iterates page by page.
    public struct Iterator: AsyncIteratorProtocol {
        let fetch: @Sendable (Int) async throws -> (items: [Item], pages: Int)
        var buffer: [Item] = []
        var nextPage = 1
        var done = false

        public mutating func next() async throws -> Item? {
            while buffer.isEmpty {
                if done { return nil }
                let (items, pages) = try await fetch(nextPage)
                buffer = items
                done = nextPage >= pages || items.isEmpty
                nextPage += 1
            }
            return buffer.removeFirst()
        }
    }

    /// Every item, collected.
    public func collect() async throws -> [Item] {
        var all: [Item] = []
        for try await item in self { all.append(item) }
        return all
    }
}
