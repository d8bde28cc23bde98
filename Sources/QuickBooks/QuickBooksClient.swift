import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// Calls QuickBooks Online for one connection (one realm) through the shared client shell:
/// every path is under `/v3/company/<realmId>` and carries `minorversion` (api digest 1.2).
public struct QuickBooksClient: Sendable {
    /// The shared shell: pipeline, connection, resolved provider facts, QuickBooks' `Fault` shapes.
    public let shell: VendorClient
    /// Rows per query page (QuickBooks allows at most 1,000, api digest 1.4).
    public var pageSize: Int

    /// Creates a client for a connected realm.
    public init(pipeline: HTTPPipeline, connection: Connection, pageSize: Int = 1000) {
        shell = VendorClient(pipeline: pipeline, connection: connection, provider: QuickBooksProvider.description, dialect: QuickBooksFault.dialect)
        self.pageSize = min(max(1, pageSize), 1000)
    }

    /// The connection called for.
    public var connection: Connection { shell.connection }

    /// The realm (company) id: the connection's account.
    public func realmID() throws -> String {
        guard let realm = connection.accountRef, !realm.isEmpty else {
            throw ConnectorError.validation(field: "connection.accountRef", message: "connection \(connection.id) has no QuickBooks realmId; connect it again (the realm comes on the OAuth redirect)")
        }
        return realm
    }

    /// `/v3/company/<realmId>/<rest>`.
    func path(_ rest: String) throws -> String {
        "/v3/company/\(try realmID())/\(rest)"
    }

    /// Sends a request with `minorversion` and decodes the 2xx body. A 200 that carries a
    /// `Fault` is an error too (api digest 1.8).
    func send<Response: Decodable>(_ method: HTTPMethod, _ rest: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
                                   requestID: String? = nil, as type: Response.Type) async throws -> Response {
        let minor = connection[setting: .minorVersion] ?? QuickBooksProvider.minorVersion
        let path = try path(rest)
        let response = try await shell.raw(method, path, query: query + [("minorversion", minor)], body: body, idempotencyKey: requestID.map(Self.requestID))
        if let fault = QuickBooksFault.read(response.body) { throw QuickBooksFault.error(fault, status: response.status, path: path) }
        return try response.decode(type)
    }

    /// A `requestid` QuickBooks accepts: the key itself when short, else its digest.
    static func requestID(_ key: String) -> String {
        // QBO: the requestid length limit is unpublished (api digest 1.2 ❓); 50 is python-quickbooks' uuid width and more.
        key.count <= 50 && key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) ? key : String(Signature.sha256Hex(key).prefix(40))
    }

    /// Reads one entity by id.
    public func read<Entity: Decodable & Sendable>(_ record: QuickBooksRecord, id: String, as type: Entity.Type) async throws -> Entity {
        try await send(.GET, "\(record.rawValue)/\(id)", as: Single<Entity>.self).value
    }

    /// Creates an entity; the same `requestID` returns the first answer instead of a second entity.
    public func create<Entity: Decodable & Sendable>(_ record: QuickBooksRecord, _ body: some Encodable & Sendable, requestID: String, as type: Entity.Type) async throws -> Entity {
        try await send(.POST, record.rawValue, body: body, requestID: requestID, as: Single<Entity>.self).value
    }

    /// Every entity a query finds, page by page (`STARTPOSITION` from 1, api digest 1.4).
    /// `statement` is `SELECT * FROM <Entity> [WHERE …]` without paging clauses.
    public func query<Entity: Decodable & Sendable>(_ statement: String, as type: Entity.Type) -> Paged<Entity> {
        Paged.positions(pageSize: pageSize) { [self] start, count in
            try await send(.GET, "query", query: [("query", "\(statement) STARTPOSITION \(start + 1) MAXRESULTS \(count)")], as: QueryEnvelope<Entity>.self).QueryResponse.items
        }
    }

    /// Every entity of a kind, optionally changed after an instant.
    public func list<Entity: Decodable & Sendable>(_ record: QuickBooksRecord, changedAfter: Date? = nil, as type: Entity.Type) -> Paged<Entity> {
        var statement = "SELECT * FROM \(record.entityName)"
        if let changedAfter { statement += " WHERE Metadata.LastUpdatedTime > '\(QuickBooksTime.format(changedAfter))'" }
        return query(statement + " ORDERBY Id", as: type)
    }
}

/// `{"<Entity>": {…}, "time": "…"}`: one entity under its name.
struct Single<Value: Decodable>: Decodable {
    let value: Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: EntityKey.self)
        guard let key = container.allKeys.first(where: { $0.stringValue != "time" }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no entity in the answer"))
        }
        value = try container.decode(Value.self, forKey: key)
    }
}

/// `{"QueryResponse": {"<Entity>": […], "startPosition": 1, "maxResults": n}}`; an empty
/// answer has no entity key at all (api digest 1.4).
struct QueryEnvelope<Item: Decodable>: Decodable {
    struct Rows: Decodable {
        var items: [Item]
        var totalCount: Int?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: EntityKey.self)
            totalCount = try container.decodeIfPresent(Int.self, forKey: EntityKey("totalCount"))
            let key = container.allKeys.first { !["startPosition", "maxResults", "totalCount"].contains($0.stringValue) }
            items = try key.map { try container.decode([Item].self, forKey: $0) } ?? []
        }
    }

    var QueryResponse: Rows
}

/// Any JSON key.
struct EntityKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
