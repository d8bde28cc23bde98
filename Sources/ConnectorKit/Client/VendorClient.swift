import Foundation
import NIOCore
import NIOHTTP1

/// How one vendor's bodies are shaped: what wraps a request body, and how an error body
/// becomes a `ConnectorError`. The only part of the client shell a system supplies.
public struct VendorDialect: Sendable {
    /// Statuses the vendor's error mapping reads instead of the pipeline's generic mapping.
    public var errorStatuses: Set<Int>
    /// Wraps a request body before encoding (Asana's `{"data": …}`); identity when nil.
    public var wrapBody: (@Sendable (any Encodable & Sendable) -> any Encodable & Sendable)?
    /// Turns a non-2xx answer at `path` into an error that names the field when the body does.
    public var mapError: @Sendable (_ response: InboundResponse, _ path: String) -> ConnectorError

    /// Describes a dialect.
    public init(errorStatuses: Set<Int>, wrapBody: (@Sendable (any Encodable & Sendable) -> any Encodable & Sendable)? = nil,
                mapError: @escaping @Sendable (InboundResponse, String) -> ConnectorError) {
        self.errorStatuses = errorStatuses
        self.wrapBody = wrapBody
        self.mapError = mapError
    }
}

/// The client shell every system shares: one connection's base URL and provider facts, the
/// shared pipeline, JSON in and out, and the vendor's error mapping. A system's client holds
/// one and adds only its resources and quirks.
public struct VendorClient: Sendable {
    /// The pipeline every call goes through.
    public let pipeline: HTTPPipeline
    /// The connection called for.
    public let connection: Connection
    /// The provider facts, resolved for this connection (its own rate limit).
    public let provider: ProviderDescription
    /// The vendor's body shapes.
    public let dialect: VendorDialect
    /// The base-URL role API paths are relative to.
    public let baseURLRole: String

    /// Creates the shell for one connection.
    public init(pipeline: HTTPPipeline, connection: Connection, provider: ProviderDescription, dialect: VendorDialect, baseURLRole: String = "api") {
        self.pipeline = pipeline
        self.connection = connection
        self.provider = provider.resolved(for: connection)
        self.dialect = dialect
        self.baseURLRole = baseURLRole
    }

    /// The absolute URL of `path` with `query` form-encoded in order.
    public func url(_ path: String, query: [(String, String)] = []) throws -> String {
        let base = try connection.baseURL(baseURLRole, provider: provider)
        guard !query.isEmpty else { return base + path }
        return base + path + "?" + query.map { "\(FormEncoding.escape($0.0))=\(FormEncoding.escape($0.1))" }.joined(separator: "&")
    }

    /// Sends a request and returns the 2xx answer; any other becomes the dialect's error.
    /// `repeatable: false` keeps the pipeline from sending a create again after it may have landed.
    public func raw(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
                    idempotencyKey: String? = nil, headers extra: HTTPHeaders = [:], repeatable: Bool? = nil) async throws -> InboundResponse {
        var request = OutboundRequest(method: method, url: try url(path, query: query), idempotencyKey: idempotencyKey, passThroughStatuses: dialect.errorStatuses)
        request.repeatable = repeatable
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(contentsOf: extra)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            let wrapped = dialect.wrapBody?(body) ?? body
            request.body = ByteBuffer(bytes: try JSONEncoder().encode(wrapped))
        }
        let response = try await pipeline.send(request, connection: connection, provider: provider)
        guard (200..<300).contains(response.status) else { throw dialect.mapError(response, path) }
        return response
    }

    /// Sends a request and decodes the 2xx body as `type`.
    public func send<Response: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
                                          idempotencyKey: String? = nil, as type: Response.Type) async throws -> Response {
        try await raw(method, path, query: query, body: body, idempotencyKey: idempotencyKey).decode(type)
    }
}
