import Foundation
import Hummingbird

extension JiraSandbox {
    /// Dynamic webhooks (digest 3.7): OAuth apps only, registered with a JQL filter, listed,
    /// deleted (202) and refreshed; each lives 30 days on the sandbox clock unless refreshed.
    func addWebhookRoutes(to router: some RouterMethods<BasicRequestContext>, prefix p: String) {
        router.post("\(p)/webhook") { [self] request, _ -> Response in
            try await answer(request) { caller in
                guard caller.oauth else { throw JiraRefusal(Self.error(.forbidden, "Only Connect and OAuth 2.0 apps can use this operation.")) }
                let body = try await bodyLog.read(request)
                guard let url = body["url"]?.text, URL(string: url)?.scheme != nil else { throw Self.fieldError("url", "The webhook URL is required.") }
                let results = world.withLockedValue { world -> [JSONValue] in
                    (body["webhooks"]?.array ?? []).map { (details: JSONValue) -> JSONValue in
                        let events = (details["events"]?.array ?? []).compactMap(\.text)
                        guard !events.isEmpty, events.allSatisfy(Self.dynamicEvents.contains) else {
                            return .object(["errors": .array([.string("Events must be some of \(Self.dynamicEvents.sorted().joined(separator: ", ")).")])])
                        }
                        guard let jql = details["jqlFilter"]?.text else { return .object(["errors": .array([.string("jqlFilter is required.")])]) }
                        do throws(JiraJQL.Problem) {
                            _ = try JiraJQL.parse(jql)
                        } catch {
                            return .object(["errors": .array([.string(error.message)])])
                        }
                        world.nextWebhookID += 1
                        world.webhooks[world.nextWebhookID] = JiraWorld.Webhook(
                            id: world.nextWebhookID, url: url, events: events, jqlFilter: jql, fieldIdsFilter: details["fieldIdsFilter"]?.array?.compactMap(\.text),
                            expiresAt: world.now.addingTimeInterval(world.configuration.webhookLifetime.seconds))
                        return .object(["createdWebhookId": .int(world.nextWebhookID)])
                    }
                }
                return SandboxHTTP.json(.ok, .object(["webhookRegistrationResult": .array(results)]))
            }
        }
        router.get("\(p)/webhook") { [self] request, _ -> Response in
            try await answer(request) { caller in
                guard caller.oauth else { throw JiraRefusal(Self.error(.forbidden, "Only Connect and OAuth 2.0 apps can use this operation.")) }
                let (startAt, maxResults) = Self.window(request, defaultSize: 100, maxSize: 100)
                let live = world.withLockedValue { world in world.liveDynamicWebhooks() }
                let page = live.dropFirst(startAt).prefix(maxResults).map(Self.present)
                return SandboxHTTP.json(.ok, .object(["startAt": .int(startAt), "maxResults": .int(maxResults), "total": .int(live.count),
                                                      "isLast": .bool(startAt + page.count >= live.count), "values": .array(Array(page))]))
            }
        }
        router.delete("\(p)/webhook") { [self] request, _ -> Response in
            try await answer(request) { caller in
                guard caller.oauth else { throw JiraRefusal(Self.error(.forbidden, "Only Connect and OAuth 2.0 apps can use this operation.")) }
                let ids = (try await bodyLog.read(request)["webhookIds"]?.array ?? []).compactMap(\.int)
                guard !ids.isEmpty else { throw Self.fieldError("webhookIds", "webhookIds must not be empty.") }
                world.withLockedValue { world in for id in ids where world.webhooks[id]?.expiresAt != nil { world.webhooks[id] = nil } }
                return Response(status: .accepted)
            }
        }
        router.put("\(p)/webhook/refresh") { [self] request, _ -> Response in
            try await answer(request) { caller in
                guard caller.oauth else { throw JiraRefusal(Self.error(.forbidden, "Only Connect and OAuth 2.0 apps can use this operation.")) }
                let ids = (try await bodyLog.read(request)["webhookIds"]?.array ?? []).compactMap(\.int)
                let expiry = world.withLockedValue { world -> Date in
                    let expiry = world.now.addingTimeInterval(world.configuration.webhookLifetime.seconds)
                    // Unknown (or already expired) ids are ignored (digest 3.7).
                    for webhook in world.liveDynamicWebhooks() where ids.contains(webhook.id) { world.webhooks[webhook.id]?.expiresAt = expiry }
                    return expiry
                }
                return SandboxHTTP.json(.ok, .object(["expirationDate": .number(String(Int64(expiry.timeIntervalSince1970 * 1000)))]))
            }
        }
    }

    /// Events a dynamic webhook may name (the spec's `WebhookDetails.events`).
    static let dynamicEvents: Set<String> = ["jira:issue_created", "jira:issue_updated", "jira:issue_deleted", "comment_created", "comment_updated", "comment_deleted",
                                             "issue_property_set", "issue_property_deleted"]

    static func present(_ webhook: JiraWorld.Webhook) -> JSONValue {
        var fields: [String: JSONValue] = ["id": .int(webhook.id), "url": .string(webhook.url), "jqlFilter": .string(webhook.jqlFilter),
                                           "events": .array(webhook.events.map { .string($0) })]
        if let expiry = webhook.expiresAt { fields["expirationDate"] = .number(String(Int64(expiry.timeIntervalSince1970 * 1000))) }
        if let filter = webhook.fieldIdsFilter { fields["fieldIdsFilter"] = .array(filter.map { .string($0) }) }
        return .object(fields)
    }

    /// Admin webhooks (`/rest/webhooks/1.0/webhook`, digest 3.7): Basic (a site admin), no
    /// expiry, every event including worklogs, and `X-Hub-Signature` when a secret is set.
    func addAdminWebhookRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let path = "/rest/webhooks/1.0/webhook"
        router.post(RouterPath(path)) { [self] request, _ -> Response in
            try await answer(request) { caller in
                let body = try await bodyLog.read(request)
                guard let url = body["url"]?.text, let events = body["events"]?.array?.compactMap(\.text), !events.isEmpty else {
                    throw JiraRefusal(Self.error(.badRequest, "name, url and events are required."))
                }
                let jql = body["filters"]?["issue-related-events-section"]?.text ?? ""
                let webhook = world.withLockedValue { world in
                    world.nextWebhookID += 1
                    let webhook = JiraWorld.Webhook(id: world.nextWebhookID, url: url, events: events, jqlFilter: jql, expiresAt: nil, secret: body["secret"]?.text, name: body["name"]?.text)
                    world.webhooks[webhook.id] = webhook
                    return webhook
                }
                return SandboxHTTP.json(.created, Self.presentAdmin(webhook, base: caller.base))
            }
        }
        router.get(RouterPath(path)) { [self] request, _ -> Response in
            try await answer(request) { caller in
                SandboxHTTP.json(.ok, .array(world.withLockedValue { $0.webhooks.values.filter { $0.expiresAt == nil }.sorted { $0.id < $1.id } }.map { Self.presentAdmin($0, base: caller.base) }))
            }
        }
        router.delete(RouterPath(path + "/:id")) { [self] request, context -> Response in
            try await answer(request) { _ in
                let id = Int(try context.parameters.require("id")) ?? -1
                guard world.withLockedValue({ $0.webhooks[id]?.expiresAt == nil && $0.webhooks.removeValue(forKey: id) != nil }) else {
                    throw JiraRefusal(Self.error(.notFound, "Webhook not found."))
                }
                return Response(status: .noContent)
            }
        }
    }

    static func presentAdmin(_ webhook: JiraWorld.Webhook, base: String) -> JSONValue {
        let site = base.components(separatedBy: "/rest/api/").first ?? base
        return .object(["self": .string("\(site)/rest/webhooks/1.0/webhook/\(webhook.id)"), "name": .string(webhook.name ?? ""), "url": .string(webhook.url),
                        "events": .array(webhook.events.map { .string($0) }), "filters": .object(["issue-related-events-section": .string(webhook.jqlFilter)]),
                        "enabled": .bool(true), "excludeBody": .bool(false)])
    }
}

extension JiraWorld {
    /// Dynamic webhooks that have not expired on the sandbox clock, by id; expired ones are gone.
    mutating func liveDynamicWebhooks() -> [Webhook] {
        let now = self.now
        for (id, webhook) in webhooks where (webhook.expiresAt.map { $0 <= now }) == true { webhooks[id] = nil }
        return webhooks.values.filter { $0.expiresAt != nil }.sorted { $0.id < $1.id }
    }
}
