import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// The JSON request bodies a sandbox received, by `METHOD path` (the last thousand), so that
/// tests can check what a client sent against the vendor's schemas.
final class ReceivedBodyLog: Sendable {
    private let entries = NIOLockedValueBox<[(String, JSONValue)]>([])

    /// Reads a request's JSON body and keeps it.
    func read(_ request: Request) async throws -> JSONValue {
        let body = try await SandboxHTTP.jsonBody(request)
        entries.withLockedValue { entries in
            entries.append(("\(request.method.rawValue) \(request.uri.path)", body))
            if entries.count > 1000 { entries.removeFirst() }
        }
        return body
    }

    /// Every body kept, oldest first.
    var all: [(String, JSONValue)] { entries.withLockedValue { $0 } }
}
