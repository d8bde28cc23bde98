import Foundation
import Hummingbird

extension QuickBooksSandbox {
    /// QuickBooks' own part of the admin API under `/_sandbox` (faults, stats, revocation and
    /// tokens come from `SandboxAdminAPI`): the webhook endpoints the developer portal would
    /// hold, and every record the sandbox holds.
    func addAdminRoutes(to router: Router<BasicRequestContext>) {
        // Body: {"url": "...", "format": "cloudevents" | "legacy"}.
        router.post("/_sandbox/webhooks") { [self] request, _ -> Response in
            let body = try await SandboxHTTP.jsonBody(request)
            guard let url = body["url"]?.text, URL(string: url)?.host != nil else { return SandboxHTTP.json(.badRequest, .object(["error": .string("url is required")])) }
            let format = body["format"]?.text ?? "cloudevents"
            guard ["cloudevents", "legacy"].contains(format) else { return SandboxHTTP.json(.badRequest, .object(["error": .string("format is cloudevents or legacy")])) }
            addWebhookEndpoint(url: url, format: format)
            return SandboxHTTP.json(.ok, .object(["url": .string(url), "format": .string(format), "verifierToken": .string(configuration.verifierToken)]))
        }
        router.get("/_sandbox/records") { [self] _, _ -> Response in
            SandboxHTTP.json(.ok, records())
        }
    }

    /// Registers a webhook endpoint as the developer portal would.
    public func addWebhookEndpoint(url: String, format: String = "cloudevents") {
        world.withLockedValue { $0.endpoints.append(.init(url: url, format: format)) }
    }

    /// Every record the sandbox holds, by entity name.
    public func records() -> JSONValue {
        world.withLockedValue { world in .object(world.entities.mapValues { .array($0.values.sorted { ($0["Id"]?.int ?? 0) < ($1["Id"]?.int ?? 0) }) }) }
    }

    /// Webhook deliveries answered by their endpoint, and those the fault plan dropped.
    public var deliveries: (sent: Int, dropped: Int) {
        let all = deliveryLog.all
        return (all.filter { !$0.dropped }.count, all.filter(\.dropped).count)
    }

    /// API answers by status (a 429 from QBO's own per-realm limits included).
    public var statusCounts: [Int: Int] { faultGate.statistics.byStatus }

    /// How many entities of a kind exist (`Bill`).
    public func count(_ entity: String) -> Int {
        world.withLockedValue { $0.entities[entity]?.count ?? 0 }
    }
}
