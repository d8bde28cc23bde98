import Foundation
import Hummingbird
import HTTPTypes

extension AsanaSandbox {
    /// `{"data": …}`, as is.
    static func data(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        SandboxHTTP.json(status, .object(["data": value]))
    }

    /// `{"data": record}` for a record read, created or changed alone: as `opt_fields` asks, or full.
    static func single(_ record: JSONValue, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        data(AsanaPresentation.single(record, AsanaFieldSelection.of(request)), status: status)
    }

    /// One page of a list (digest B4): `limit` 1–100, opaque `offset`, `next_page` only when
    /// `limit` was sent, its `uri` on the host the request was sent to; records as `opt_fields`
    /// asks, or compact.
    static func page(_ records: [JSONValue], request: Request, render: (JSONValue) -> JSONValue = { $0 }) -> Response {
        let limitText = SandboxHTTP.queryValue(request, "limit")
        if let limitText, Int(limitText).map({ !(1...100).contains($0) }) ?? true {
            return error(.badRequest, "limit: Must be between 1 and 100")
        }
        let limit = limitText.flatMap(Int.init) ?? records.count
        var start = 0
        if let offset = SandboxHTTP.queryValue(request, "offset") {
            // Only a position this list could have handed out: a negative or huge one would trap `dropFirst` or `start + limit`.
            guard let decoded = Data(base64Encoded: offset).flatMap({ Int(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "o:", with: "")) }),
                  (0...records.count).contains(decoded) else {
                return error(.badRequest, "offset: Your pagination token is invalid.")
            }
            start = decoded
        }
        let slice = Array(records.dropFirst(start).prefix(max(limit, 1)))
        var next: JSONValue = .null
        if limitText != nil, start + limit < records.count {
            let token = Data("o:\(start + limit)".utf8).base64EncodedString()
            var query = SandboxHTTP.query(request).filter { $0.0 != "offset" }
            query.append(("offset", token))
            let path = request.uri.path.replacingOccurrences(of: prefix, with: "") + "?" + SandboxHTTP.formEncode(query)
            next = .object(["offset": .string(token), "path": .string(path), "uri": .string(baseURL(of: request) + prefix + path)])
        }
        let selection = AsanaFieldSelection.of(request)
        return SandboxHTTP.json(.ok, .object(["data": .array(slice.map { AsanaPresentation.listed(render($0), selection) }), "next_page": next]))
    }

    /// `http://<host>` as the client addressed the sandbox (the `Host` header, HTTP/1's authority), so paging links
    /// lead back here and not to app.asana.com.
    static func baseURL(of request: Request) -> String {
        "http://" + (request.head.authority ?? "127.0.0.1")
    }
}
