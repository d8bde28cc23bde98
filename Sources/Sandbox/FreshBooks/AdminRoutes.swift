import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// The sandbox's own API under `/_sandbox` (not FreshBooks'): faults, token revocation,
    /// records, webhook deliveries and counters, for tests, the demo and benchmarks.
    func addAdminRoutes(to router: Router<BasicRequestContext>) {
        router.get("/_sandbox/faults") { [self] _, _ -> Response in
            SandboxHTTP.json(.ok, try JSONValue.parse(try JSONEncoder().encode(faults)))
        }
        router.put("/_sandbox/faults") { [self] request, _ -> Response in
            let data = Data((try await SandboxHTTP.text(request)).utf8)
            do {
                setFaults(try JSONDecoder().decode(FaultPlan.self, from: data.isEmpty ? Data("{}".utf8) : data))
            } catch {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("not a fault plan: \(error)")]))
            }
            return SandboxHTTP.json(.ok, try JSONValue.parse(try JSONEncoder().encode(faults)))
        }
        router.post("/_sandbox/revoke") { [self] _, _ -> Response in
            revokeAccessTokens()
            return SandboxHTTP.json(.ok, .object(["revoked": .bool(true)]))
        }
        router.post("/_sandbox/tokens") { [self] _, _ -> Response in
            let pair = issueTokens()
            return SandboxHTTP.json(.ok, .object(["access_token": .string(pair.accessToken), "refresh_token": .string(pair.refreshToken)]))
        }
        router.post("/_sandbox/invoices/:id/viewed") { [self] _, context -> Response in
            let changed = markInvoiceViewed(Int(try context.parameters.require("id")) ?? -1)
            return SandboxHTTP.json(changed ? .ok : .conflict, .object(["viewed": .bool(changed)]))
        }
        router.get("/_sandbox/records") { [self] _, _ -> Response in
            SandboxHTTP.json(.ok, records())
        }
        router.get("/_sandbox/stats") { [self] _, _ -> Response in
            let stats = world.withLockedValue { world in
                JSONValue.object([
                    "requests": .object(world.requestCounts.mapValues { .int($0) }), "tokenRequests": .int(world.tokenRequests), "spentTokenReuse": .int(world.spentTokenReuse),
                    "deliveries": .array(world.deliveries.map { .object(["event": .string($0.event), "objectID": .string($0.objectID), "status": $0.status.map { .int($0) } ?? .null, "dropped": .bool($0.dropped)]) }),
                ])
            }
            return SandboxHTTP.json(.ok, stats)
        }
    }

    /// Every record the sandbox holds, by resource.
    public func records() -> JSONValue {
        world.withLockedValue { world in
            .object([
                "clients": .array(Array(world.clients.values)), "invoices": .array(Array(world.invoices.values)), "expenses": .array(Array(world.expenses.values)),
                "payments": .array(Array(world.payments.values)), "projects": .array(Array(world.projects.values)), "time_entries": .array(Array(world.timeEntries.values)),
                "callbacks": .array(world.callbacks.values.map(Self.present)),
            ])
        }
    }
}
