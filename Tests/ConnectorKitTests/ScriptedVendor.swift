import ConnectorKit
import Foundation
import Hummingbird
import HTTPTypes
import NIOConcurrencyHelpers
import TestSupport

/// A loopback vendor that answers each request with the next scripted response (then 200),
/// counting what it received.
final class ScriptedVendor: Sendable {
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var delay: Duration = .zero
        var body: String = "{}"
    }

    struct Received: Sendable {
        var method: String
        var path: String
        var authorization: String?
        var idempotencyKey: String?
    }

    private let script: NIOLockedValueBox<[Reply]>
    private let received: NIOLockedValueBox<[Received]>
    let server: LoopbackServer

    static func start(_ replies: [Reply]) async throws -> ScriptedVendor {
        let script = NIOLockedValueBox(replies)
        let received = NIOLockedValueBox<[Received]>([])
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            received.withLockedValue {
                $0.append(Received(method: request.method.rawValue, path: request.uri.path, authorization: request.headers[.authorization],
                                   idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!]))
            }
            let reply = script.withLockedValue { $0.isEmpty ? Reply(status: 200, body: #"{"ok":true}"#) : $0.removeFirst() }
            if reply.delay > .zero { try await Task.sleep(for: reply.delay) }
            var response = Response(status: .init(code: reply.status), body: .init(byteBuffer: .init(string: reply.body)))
            for (name, value) in reply.headers { response.headers[HTTPField.Name(name)!] = value }
            return response
        }
        router.get("/**", use: handler)
        router.post("/**", use: handler)
        return ScriptedVendor(script: script, received: received, server: try await LoopbackServer.start(router))
    }

    /// Starts the vendor for `body` and stops its server before returning.
    static func with<Value>(_ replies: [Reply], _ body: (ScriptedVendor) async throws -> Value) async throws -> Value {
        try await withStarted({ try await start(replies) }, stop: { await $0.server.stop() }, body)
    }

    private init(script: NIOLockedValueBox<[Reply]>, received: NIOLockedValueBox<[Received]>, server: LoopbackServer) {
        self.script = script
        self.received = received
        self.server = server
    }

    var requests: [Received] { received.withLockedValue { $0 } }
}

/// A credential source for a fixed personal access token.
struct FixedToken: CredentialSource {
    var token: String

    func credential(for connectionID: String) async throws -> VersionedCredential {
        VersionedCredential(credential: Credential(kind: .apiToken, accessToken: token), version: 1)
    }

    func refresh(connectionID: String, staleVersion: Int64, renew: @Sendable (Credential) async throws -> Credential) async throws -> VersionedCredential {
        try await credential(for: connectionID)
    }
}

extension ProviderDescription {
    /// A provider for tests: generous limits, fast retries, short timeout.
    static func testing(retries: Int = 3, maxInlineWait: Duration = .seconds(60), timeout: Duration = .seconds(5), idempotencyHeader: String? = nil,
                        rateLimit: RateLimit = RateLimit(requests: 100_000, per: .seconds(1), burst: 10_000)) -> ProviderDescription {
        ProviderDescription(
            system: .custom("scripted"),
            defaultBaseURLs: [:],
            rateLimit: rateLimit,
            requestTimeout: timeout,
            retry: RetryPolicy(maxRetries: retries, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxInlineWait: maxInlineWait),
            requestIDHeader: "X-Request-Id",
            idempotencyHeader: idempotencyHeader
        )
    }
}
