import ConnectorKit
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport

/// A loopback endpoint that keeps every webhook delivery it receives, as the ingress sees one.
struct DeliveryReceiver: Sendable {
    let server: SandboxServer
    let received: NIOLockedValueBox<[WebhookDelivery]>

    var url: String { server.baseURL + "/hook" }

    static func start() async throws -> DeliveryReceiver {
        let received = NIOLockedValueBox<[WebhookDelivery]>([])
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPHeaders()
            for field in request.headers { headers.add(name: field.name.rawName, value: field.value) }
            received.withLockedValue { $0.append(WebhookDelivery(system: .jira, subscriptionID: "sub", headers: headers, body: body)) }
            return Response(status: .ok)
        }
        return DeliveryReceiver(server: try await SandboxServer.start(router, label: "jira-receiver"), received: received)
    }

    /// Waits until `count` deliveries arrived (facts, not time: fails after five seconds).
    func waitFor(count: Int) async throws -> [WebhookDelivery] {
        try await eventually("\(count) deliveries", timeout: .seconds(5)) { received.withLockedValue { $0.count } >= count }
        return received.withLockedValue { $0 }
    }

    func stop() async { await server.stop() }
}
