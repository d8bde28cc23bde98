import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// Event names FreshBooks accepts for callbacks (api digest A7).
    static let knownEvents: Set<String> = {
        let nouns = ["bill", "bill_vendor", "category", "client", "credit_note", "estimate", "expense", "invoice", "item", "payment", "project", "recurring", "service", "tax", "time_entry"]
        var events = Set(nouns.flatMap { ["\($0).create", "\($0).update", "\($0).delete"] })
        events.formUnion(["estimate.sendByEmail", "invoice.sendByEmail"])
        return events
    }()

    /// `/events/account/<account_id>/events/callbacks`: create (then POST a verifier to the URI
    /// and deliver nothing until it is confirmed), list, verify, resend, update, delete.
    func addCallbackRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let base = "/events/account/:account/events/callbacks"
        router.get(RouterPath(base)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .events, account: try context.parameters.require("account")) { return refusal }
            var list = world.withLockedValue { $0.callbacks.values.map(Self.present) }
            for (key, value) in SandboxHTTP.query(request) {
                if key == "search[event]" { list = list.filter { $0["event"]?.text == value } }
                if key == "search[uri]" { list = list.filter { $0["uri"]?.text == value } }
            }
            // Listed as read: callbacks have no `id`, only `callbackid` (list_callbacks_response.json).
            return AccountingListing.page(list, request: request, listName: "callbacks", idKey: "callbackid")
        }
        router.get("\(base)/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .events, account: try context.parameters.require("account")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            guard let callback = world.withLockedValue({ $0.callbacks[id] }) else {
                return FreshBooksErrors.notFound(.events, object: "callback", field: "callbackid", value: "")
            }
            return single("callback", Self.present(callback))
        }
        router.post(RouterPath(base)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .events, account: try context.parameters.require("account")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["callback"]
            guard let event = input?["event"]?.text, Self.knownEvents.contains(event) else {
                return FreshBooksErrors.invalid(.events, object: "callback", field: "event", message: "Value error, Unrecognized event.")
            }
            guard let uri = input?["uri"]?.text, let url = URL(string: uri), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return FreshBooksErrors.invalid(.events, object: "callback", field: "uri", message: "Input should be a valid URL, relative URL without a base")
            }
            let callback = world.withLockedValue { world -> FreshBooksWorld.Callback in
                let callback = FreshBooksWorld.Callback(id: world.newID(), event: event, uri: uri, verified: false, verifier: OAuthTokenStore.random("verifier_"), updatedAt: Date())
                world.callbacks[callback.id] = callback
                return callback
            }
            sendVerifier(callback)
            return single("callback", Self.present(callback))
        }
        router.put("\(base)/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .events, account: try context.parameters.require("account")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            let input = try await SandboxHTTP.jsonBody(request)["callback"] ?? .object([:])
            let result = world.withLockedValue { world -> Result<(FreshBooksWorld.Callback, Bool), Refusal> in
                guard var callback = world.callbacks[id] else { return .failure(Refusal(FreshBooksErrors.notFound(.events, object: "callback", field: "callbackid", value: "\(id)"))) }
                var resend = false
                if let verifier = input["verifier"]?.text {
                    guard verifier == callback.verifier else {
                        return .failure(Refusal(FreshBooksErrors.invalid(.events, object: "callback", field: "verifier", message: "Verifier does not match.")))
                    }
                    callback.verified = true
                }
                if input["resend"]?.bool == true {
                    callback.verifier = OAuthTokenStore.random("verifier_")
                    callback.verified = false
                    resend = true
                }
                if let uri = input["uri"]?.text { callback.uri = uri; callback.verified = false; resend = true }
                if let event = input["event"]?.text, Self.knownEvents.contains(event) { callback.event = event }
                callback.updatedAt = Date()
                world.callbacks[id] = callback
                return .success((callback, resend))
            }
            switch result {
            case .failure(let refusal): return refusal.response
            case .success(let (callback, resend)):
                if resend { sendVerifier(callback) }
                return single("callback", Self.present(callback))
            }
        }
        router.delete("\(base)/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .events, account: try context.parameters.require("account")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            guard world.withLockedValue({ $0.callbacks.removeValue(forKey: id) }) != nil else { return FreshBooksErrors.notFound(.events, object: "callback", field: "callbackid", value: "\(id)") }
            return Response(status: .noContent)
        }
    }

    static func present(_ callback: FreshBooksWorld.Callback) -> JSONValue {
        .object(["callbackid": .int(callback.id), "event": .string(callback.event), "uri": .string(callback.uri), "verified": .bool(callback.verified),
                 "updated_at": .string(FreshBooksWorld.utcTimestamp(callback.updatedAt))])
    }
}
