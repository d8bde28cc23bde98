import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// Calls the Asana API for one connection through the shared HTTP pipeline: `{"data": …}`
/// bodies, `opt_fields` for exactly the fields read, `limit=100` paging by offset.
public struct AsanaClient: Sendable {
    /// The pipeline every call goes through.
    public let pipeline: HTTPPipeline
    /// The connection called for.
    public let connection: Connection
    /// The provider facts, with the connection's own rate limit.
    public let provider: ProviderDescription

    /// Creates a client.
    public init(pipeline: HTTPPipeline, connection: Connection) {
        self.pipeline = pipeline
        self.connection = connection
        self.provider = AsanaProvider.description(for: connection)
    }

    /// True when the connection holds an OAuth token (only those may use `external`).
    public var usesOAuth: Bool { connection.settings["auth"] == "oauth" }

    /// The workspace this connection works in.
    public func workspaceGID() throws -> String {
        guard let workspace = connection.settings["workspace_gid"] else {
            throw ConnectorError.validation(field: "connection.workspace_gid", message: "connection \(connection.id) has no Asana workspace; connect it again to choose one")
        }
        return workspace
    }

    struct DataEnvelope<Value: Decodable>: Decodable { var data: Value }
    struct ListEnvelope<Value: Decodable>: Decodable {
        var data: [Value]
        var next_page: NextPage?
    }
    struct NextPage: Decodable { var offset: String }

    func url(_ path: String, query: [(String, String)]) throws -> String {
        let base = try connection.baseURL("api", provider: provider)
        guard !query.isEmpty else { return base + path }
        return base + path + "?" + query.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
    }

    /// Sends a request and decodes `data`.
    func send<Value: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], fields: [String]? = nil, body: (some Encodable)? = Optional<Int>.none,
                                as type: Value.Type) async throws -> Value {
        try await raw(method, path, query: query, fields: fields, body: body).decode(DataEnvelope<Value>.self).data
    }

    func raw(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], fields: [String]? = nil, body: (some Encodable)? = Optional<Int>.none) async throws -> InboundResponse {
        var query = query
        if let fields, !fields.isEmpty { query.append(("opt_fields", fields.joined(separator: ","))) }
        var request = OutboundRequest(method: method, url: try url(path, query: query), passThroughStatuses: [400, 402, 403, 404, 412])
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = ByteBuffer(bytes: try JSONEncoder().encode(["data": body]))
        }
        let response = try await pipeline.send(request, connection: connection, provider: provider)
        guard (200..<300).contains(response.status) else { throw AsanaError.map(response, path: path) }
        return response
    }

    /// Every item of a list, page by page (`limit=100`, digest B4).
    func list<Item: Decodable & Sendable>(_ path: String, query: [(String, String)] = [], fields: [String], as type: Item.Type) -> AsanaPaged<Item> {
        AsanaPaged { [self] offset in
            var pageQuery = query + [("limit", "100")]
            if let offset { pageQuery.append(("offset", offset)) }
            let page = try await raw(.GET, path, query: pageQuery, fields: fields).decode(ListEnvelope<Item>.self)
            return (page.data, page.next_page?.offset)
        }
    }
}

/// Asana's error envelope, `{"errors": [{"message": …}]}`, as `ConnectorError`s.
enum AsanaError {
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

/// An async sequence over every item of an Asana list, following `next_page.offset`.
public struct AsanaPaged<Item: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item
    let fetch: @Sendable (String?) async throws -> (items: [Item], next: String?)

    public func makeAsyncIterator() -> Iterator { Iterator(fetch: fetch) }

    /// Iterates page by page.
    public struct Iterator: AsyncIteratorProtocol {
        let fetch: @Sendable (String?) async throws -> (items: [Item], next: String?)
        var buffer: [Item] = []
        var offset: String?
        var started = false

        public mutating func next() async throws -> Item? {
            while buffer.isEmpty {
                if started && offset == nil { return nil }
                let page = try await fetch(offset)
                started = true
                buffer = page.items
                offset = page.next
                if page.items.isEmpty && page.next == nil { return nil }
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
