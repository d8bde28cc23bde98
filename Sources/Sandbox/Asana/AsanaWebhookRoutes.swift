import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import NIOCore

extension AsanaSandbox {
    /// Webhooks (digest B7): the `X-Hook-Secret` handshake runs against the target before the
    /// create answers; deliveries are signed with `X-Hook-Signature`; workspace webhooks need
    /// filters; a webhook failing past the configured span is deleted without notice.
    func addWebhookRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let p = Self.prefix
        router.post("\(p)/webhooks") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            let input = try await bodyLog.read(request)["data"]?.object ?? [:]
            guard let resource = input["resource"]?.text else { return Self.error(.badRequest, "resource: Missing input") }
            guard let target = input["target"]?.text, let url = URL(string: target), url.scheme == "https" || url.scheme == "http" else { return Self.error(.badRequest, "target: Missing input") }
            let filters = input["filters"]?.array ?? []
            let known = world.withLockedValue { world -> String? in
                if resource == world.workspaceGID || resource == world.teamGID { return "workspace" }
                if world.projects[resource] != nil { return "project" }
                if world.tasks[resource] != nil { return "task" }
                return nil
            }
            guard let kind = known else { return Self.error(.notFound, "resource: Not a recognized ID: \(resource)") }
            if kind == "workspace" && filters.isEmpty {
                return Self.error(.badRequest, "filters: Webhooks on workspaces, teams and portfolios must specify filters")
            }
            // The handshake happens while this request is still open (digest B7).
            let secret = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var handshake = HTTPClientRequest(url: target)
            handshake.method = .POST
            handshake.headers.add(name: "X-Hook-Secret", value: secret)
            handshake.headers.add(name: "Content-Type", value: "application/json")
            handshake.body = .bytes(ByteBuffer(string: ""))
            let echoed: Bool
            do {
                let response = try await http.execute(handshake, timeout: .seconds(10))
                _ = try? await response.body.collect(upTo: 1 << 16)
                echoed = [200, 204].contains(response.status.code) && response.headers.first(name: "X-Hook-Secret") == secret
            } catch {
                echoed = false
            }
            guard echoed else { return Self.error(.badRequest, "The remote server did not respond with the handshake secret.") }
            let webhook = world.withLockedValue { world -> AsanaWorld.Webhook in
                let webhook = AsanaWorld.Webhook(gid: world.newGID(), resource: resource, target: target, filters: filters, secret: secret, active: true, createdAt: Date(), lastSuccessAt: Date())
                world.webhooks[webhook.gid] = webhook
                return webhook
            }
            return SandboxHTTP.json(.created, .object(["data": present(webhook), "X-Hook-Secret": .string(secret)]))
        }
        router.get("\(p)/webhooks") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            guard SandboxHTTP.queryValue(request, "workspace") != nil else { return Self.error(.badRequest, "workspace: Missing input") }
            let resource = SandboxHTTP.queryValue(request, "resource")
            let list = world.withLockedValue { $0.webhooks.values.sorted { $0.gid < $1.gid } }.filter { resource == nil || $0.resource == resource }.map(present)
            return Self.page(list, request: request)
        }
        router.get("\(p)/webhooks/:webhook") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("webhook")
            guard let webhook = world.withLockedValue({ $0.webhooks[gid] }) else { return Self.error(.notFound, "webhook: Not a recognized ID: \(gid)") }
            return Self.single(present(webhook), request: request)
        }
        router.delete("\(p)/webhooks/:webhook") { [self] request, context -> Response in
            if let refusal = await gate(request) { return refusal }
            let gid = try context.parameters.require("webhook")
            guard world.withLockedValue({ $0.webhooks.removeValue(forKey: gid) }) != nil else { return Self.error(.notFound, "webhook: Not a recognized ID: \(gid)") }
            return Self.data(.object([:]))
        }
    }

    func present(_ webhook: AsanaWorld.Webhook) -> JSONValue {
        .object([
            "gid": .string(webhook.gid), "resource_type": .string("webhook"), "active": .bool(webhook.active),
            "resource": .object(["gid": .string(webhook.resource), "resource_type": .string("project"), "name": .string("")]),
            "target": .string(webhook.target), "created_at": .string(AsanaWorld.timestamp(webhook.createdAt)),
            "last_success_at": webhook.lastSuccessAt.map { .string(AsanaWorld.timestamp($0)) } ?? .null,
            "last_failure_at": webhook.lastFailureAt.map { .string(AsanaWorld.timestamp($0)) } ?? .null,
            "last_failure_content": .string(""), "filters": .array(webhook.filters),
        ])
    }

    /// Sends the events not yet delivered to the webhooks on `resources`.
    func notify(resources: [String]) {
        let faults = faultGate.plan
        let targets = world.withLockedValue { world in world.webhooks.values.filter { resources.contains($0.resource) } }
        for webhook in targets {
            let events = world.withLockedValue { world in
                world.events.suffix(20).filter { $0.streams.contains(webhook.resource) && $0.sequence > 0 }.map(\.body)
            }.filter { matches($0, filters: webhook.filters) }
            guard let last = events.last else { continue }
            deliver(webhook, events: [last], faults: faults)
        }
    }

    /// Sends a heartbeat (`{"events": []}`) to every webhook, as Asana does every 8 hours.
    public func sendHeartbeats() {
        let faults = faultGate.plan
        let targets = world.withLockedValue { Array($0.webhooks.values) }
        for webhook in targets { deliver(webhook, events: [], faults: faults) }
    }

    func matches(_ event: JSONValue, filters: [JSONValue]) -> Bool {
        guard !filters.isEmpty else { return true }
        return filters.contains { filter in
            (filter["resource_type"]?.text.map { $0 == event["resource"]?["resource_type"]?.text } ?? true)
                && (filter["action"]?.text.map { $0 == event["action"]?.text } ?? true)
                && (filter["fields"]?.array.map { fields in fields.contains { $0.text == event["change"]?["field"]?.text } } ?? true)
        }
    }

    func deliver(_ webhook: AsanaWorld.Webhook, events: [JSONValue], faults: FaultPlan) {
        let body = JSONValue.object(["events": .array(events)]).serialized()
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(webhook.secret.utf8))).map { String(format: "%02x", $0) }.joined()
        let details: [String: JSONValue] = ["webhook": .string(webhook.gid), "events": .int(events.count)]
        WebhookPoster.deliver(plan: faults, log: deliveryLog, details: details) { [http, world] in
            let status = await WebhookPoster.post(http, url: webhook.target, body: ByteBuffer(data: body),
                                                  headers: [("Content-Type", "application/json"), ("X-Hook-Signature", signature)])
            let ok = status.map { (200..<300).contains($0) } ?? false
            world.withLockedValue { world in
                guard var current = world.webhooks[webhook.gid] else { return }
                if ok {
                    current.lastSuccessAt = Date()
                    current.failingSince = nil
                } else {
                    current.lastFailureAt = Date()
                    current.failingSince = current.failingSince ?? Date()
                }
                world.webhooks[webhook.gid] = current
                // Asana removes a webhook whose deliveries have failed for the whole failure span.
                if let since = current.failingSince, Date().timeIntervalSince(since) >= Double(world.configuration.webhookFailureSpan.components.seconds) {
                    world.webhooks[webhook.gid] = nil
                }
            }
            return status
        }
    }
}
