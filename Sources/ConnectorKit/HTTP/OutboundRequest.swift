import Foundation
import NIOCore
import NIOHTTP1
import NIOFoundationCompat

/// One request a vendor client asks the pipeline to send.
public struct OutboundRequest: Sendable {
    /// HTTP method.
    public var method: HTTPMethod
    /// The absolute URL.
    public var url: String
    /// Headers besides authentication, which the pipeline adds.
    public var headers: HTTPHeaders
    /// The body, if any.
    public var body: ByteBuffer?
    /// A key that makes repeating this request harmless (sent in the provider's idempotency
    /// header when it has one, or already carried in the body, such as our own invoice number).
    /// A POST without one is never repeated once it may have reached the server.
    public var idempotencyKey: String?
    /// Whether the connection's credential is attached (false for token endpoints).
    public var authenticated: Bool
    /// Statuses the caller handles itself rather than have mapped to `ConnectorError`.
    public var passThroughStatuses: Set<Int>
    /// Overrides the provider's timeout.
    public var timeout: Duration?
    /// Overrides what the method says about repeating: false for a PUT that creates a record
    /// with no key of ours (a vendor's upsert), which a repeat would create twice.
    public var repeatable: Bool?

    /// Creates a request.
    public init(
        method: HTTPMethod,
        url: String,
        headers: HTTPHeaders = [:],
        body: ByteBuffer? = nil,
        idempotencyKey: String? = nil,
        authenticated: Bool = true,
        passThroughStatuses: Set<Int> = [],
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.authenticated = authenticated
        self.passThroughStatuses = passThroughStatuses
        self.timeout = timeout
    }

    /// A request with a JSON body encoded from `value`.
    public static func json<Body: Encodable>(_ method: HTTPMethod, _ url: String, body: Body, encoder: JSONEncoder = JSONEncoder(), idempotencyKey: String? = nil) throws -> OutboundRequest {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        let data = try encoder.encode(body)
        return OutboundRequest(method: method, url: url, headers: headers, body: ByteBuffer(bytes: data), idempotencyKey: idempotencyKey)
    }

    /// True when sending this request twice has the effect of sending it once.
    public var isSafeToRepeat: Bool {
        if let repeatable { return repeatable }
        return switch method {
        case .GET, .HEAD, .OPTIONS, .PUT, .DELETE: true
        default: idempotencyKey != nil
        }
    }
}

/// A response the pipeline hands back to a vendor client.
public struct InboundResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Response headers.
    public var headers: HTTPHeaders
    /// The whole body.
    public var body: ByteBuffer
    /// The request's method and path (`GET /projects`), for errors about the answer.
    public var endpoint: String

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders, body: ByteBuffer, endpoint: String = "the vendor's answer") {
        self.status = status
        self.headers = headers
        self.body = body
        self.endpoint = endpoint
    }

    /// The body as UTF-8 text.
    public var text: String { String(buffer: body) }

    /// Decodes the body as JSON; a shape mismatch is a permanent error naming the endpoint, the
    /// type and the field, never the body's values.
    public func decode<Value: Decodable>(_ type: Value.Type, decoder: JSONDecoder = JSONDecoder()) throws -> Value {
        do {
            return try decoder.decode(type, from: Data(buffer: body))
        } catch ConnectorError.validation(let field, _) {
            // A model's own check (a money amount, a currency) quotes the value; keep the field only.
            throw ConnectorError.permanent("\(endpoint): the answer did not match \(Value.self): \(field) is not in the expected form")
        } catch {
            throw DecodingFailure.connectorError(error, endpoint: endpoint, type: Value.self)
        }
    }
}
