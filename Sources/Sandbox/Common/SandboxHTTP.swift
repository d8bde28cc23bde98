import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// Helpers the sandboxes' route handlers share: JSON responses, bodies, query parsing.
public enum SandboxHTTP {
    /// A JSON response.
    public static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(data: value.serialized())))
    }

    /// The request body as JSON (an empty body is an empty object).
    public static func jsonBody(_ request: Request, limit: Int = 1 << 20) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: limit)
        if buffer.readableBytes == 0 { return .object([:]) }
        return try JSONValue.parse(Data(buffer.readableBytesView))
    }

    /// Raw body text.
    public static func text(_ request: Request, limit: Int = 1 << 20) async throws -> String {
        String(buffer: try await request.body.collect(upTo: limit))
    }

    /// Query items in order, percent-decoded; `search[x]` keys are kept as written.
    public static func query(_ request: Request) -> [(String, String)] {
        guard let query = request.uri.query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value of a query parameter.
    public static func queryValue(_ request: Request, _ name: String) -> String? {
        query(request).first { $0.0 == name }?.1
    }

    /// `application/x-www-form-urlencoded` pairs in wire order.
    public static func formPairs(_ body: String) -> [(String, String)] {
        body.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Form-encodes pairs in the order given.
    public static func formEncode(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
            .joined(separator: "&")
    }
}
