import ConnectorKit
import Hummingbird
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import TestSupport

/// A loopback vendor that answers every way a broken or hostile vendor does, one route each.
enum HostileVendor {
    /// Bytes streamed by `/huge` before it gives up (200 MB), in 1 MB chunks.
    static let hugeBytes = 200 * 1024 * 1024

    /// Serves the vendor for `body` and stops it before returning.
    static func with<Value>(streamed: NIOLockedValueBox<Int>, _ body: (LoopbackServer) async throws -> Value) async throws -> Value {
        try await withStarted({ try await start(streamed: streamed) }, stop: { await $0.stop() }, body)
    }

    static func start(streamed: NIOLockedValueBox<Int>) async throws -> LoopbackServer {
        let router = Router()
        router.get("/retry-after/:value") { _, context -> Response in
            var response = Response(status: .tooManyRequests, body: .init(byteBuffer: ByteBuffer(string: "{}")))
            response.headers[.retryAfter] = try context.parameters.require("value")
            return response
        }
        router.get("/html") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html"],
                     body: .init(byteBuffer: ByteBuffer(string: "<html><body>Maintenance. Contact ops@vendor.example, token pat-0123456789</body></html>")))
        }
        router.get("/truncated") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"id": 7, "name": "Acme secret-customer-na"#)))
        }
        router.get("/wrong-types") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"id": "seven", "name": "private-value-42"}"#)))
        }
        router.get("/loop") { _, _ in
            Response(status: .found, headers: [.location: "/loop"])
        }
        router.get("/huge") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 1024 * 1024)
                for _ in 0..<(hugeBytes / chunk.readableBytes) {
                    try await writer.write(chunk)
                    streamed.withLockedValue { $0 += chunk.readableBytes }
                    // Paced, so the count shows how far the client read before it refused.
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await writer.finish(nil)
            })
        }
        router.get("/hang") { _, _ -> Response in
            // Longer than any deadline the tests set, short enough that the scoped teardown (which
            // waits for requests in flight) does not hold the suite for long.
            try await Task.sleep(for: .seconds(12))
            return Response(status: .ok)
        }
        return try await LoopbackServer.start(router)
    }
}
