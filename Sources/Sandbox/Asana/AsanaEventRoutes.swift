import Foundation
import Hummingbird

extension AsanaSandbox {
    /// The events API (digest B6): the first call without `sync` answers 412 with a fresh token;
    /// later calls return what happened since, 100 at a time with `has_more`; an expired token
    /// answers 412 again.
    func addEventRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("\(Self.prefix)/events") { [self] request, _ -> Response in
            if let refusal = await gate(request) { return refusal }
            guard let resource = SandboxHTTP.queryValue(request, "resource") else { return Self.error(.badRequest, "resource: Missing input") }
            let sync = SandboxHTTP.queryValue(request, "sync")
            return world.withLockedValue { world -> Response in
                func fresh() -> String {
                    let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                    world.syncTokens[token] = (resource, world.eventSequence)
                    return token
                }
                guard let sync, let position = world.syncTokens[sync], position.stream == resource else {
                    return SandboxHTTP.json(.preconditionFailed, .object([
                        "errors": .array([.object(["message": .string("Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync.")])]),
                        "sync": .string(fresh()),
                    ]))
                }
                let pending = world.events.filter { $0.sequence > position.position && $0.streams.contains(resource) }
                let page = Array(pending.prefix(100))
                let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                world.syncTokens[token] = (resource, page.last?.sequence ?? position.position)
                return SandboxHTTP.json(.ok, .object(["data": .array(page.map(\.body)), "sync": .string(token), "has_more": .bool(pending.count > page.count)]))
            }
        }
    }

    /// Expires every sync token (the next events call answers 412).
    public func expireSyncTokens() {
        world.withLockedValue { $0.syncTokens.removeAll() }
    }
}
