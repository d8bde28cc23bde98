import ConnectorKit
import Foundation
import NIOCore

/// QuickBooks' error body, `Fault.Error[]`, in both casings: `Fault/Error/Message` for
/// validation and `fault/error/message` on 401s (api digest 1.8).
struct QuickBooksFault: Sendable, Equatable {
    var type: String?
    var code: String?
    var message: String
    var detail: String?
    var element: String?

    /// QuickBooks' dialect for the client shell.
    static let dialect = VendorDialect(errorStatuses: [400, 404, 409, 500]) { response, path in
        guard let fault = read(response.body) else {
            return response.status == 404 ? .notFound("QuickBooks \(path)") : .permanent("QuickBooks answered \(response.status) to \(path): \(String(buffer: response.body).prefix(200))")
        }
        return error(fault, status: response.status, path: path)
    }

    /// The first error of a `Fault` body; nil when the body has none.
    static func read(_ body: ByteBuffer) -> QuickBooksFault? {
        guard body.readableBytes > 0, let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let fault = (object["Fault"] ?? object["fault"]) as? [String: Any] else { return nil }
        let errors = (fault["Error"] ?? fault["error"]) as? [[String: Any]] ?? []
        let first = errors.first ?? [:]
        func text(_ keys: String...) -> String? { keys.lazy.compactMap { first[$0].map { "\($0)" } }.first }
        return QuickBooksFault(type: fault["type"] as? String, code: text("code"), message: text("Message", "message") ?? "error",
                               detail: text("Detail", "detail"), element: text("element").flatMap { $0.isEmpty || $0 == "<null>" ? nil : $0 })
    }

    /// The error a fault means: 5010 is a stale SyncToken (re-read and re-apply), 610 a
    /// missing object, 401/3200 a refused token (api digest 1.5, 1.8).
    static func error(_ fault: QuickBooksFault, status: Int, path: String) -> ConnectorError {
        let text = "QuickBooks \(path): \(fault.message)" + (fault.detail.map { " (\($0))" } ?? "") + (fault.code.map { " [\($0)]" } ?? "")
        switch fault.code {
        case "5010": return .conflict(text)
        case "610": return .notFound(text)
        default: break
        }
        switch status {
        case 401, 403: return .unauthorized(text)
        case 404: return .notFound(text)
        case 500...: return .transient(text)
        default: return .validation(field: fault.element ?? "request", message: text)
        }
    }
}
