import Foundation
import Hummingbird

/// The `/_sandbox` routes every vendor sandbox offers, built from its fault gate, token store and
/// delivery log: faults (`GET`, `PUT` and `PATCH` merge the keys given over the plan in force),
/// `GET /_sandbox/stats`, `POST /_sandbox/revoke` and `POST /_sandbox/tokens`. Routes that only
/// make sense for one vendor live in that vendor's `<Vendor>AdminRoutes.swift`.
struct SandboxAdminAPI: Sendable {
    let gate: FaultGate
    let tokens: OAuthTokenStore
    let deliveries: WebhookDeliveryLog

    func addRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/_sandbox/faults") { [gate] _, _ -> Response in
            SandboxHTTP.json(.ok, Self.present(gate.plan))
        }
        // PUT with a whole plan replaces it; PUT or PATCH with some keys changes only those.
        let merge: @Sendable (Request, BasicRequestContext) async throws -> Response = { [gate] request, _ in
            let patch: JSONValue
            do {
                patch = try await SandboxHTTP.jsonBody(request)
            } catch {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("not a fault plan: the body is not JSON")]))
            }
            do {
                var answer = Self.present(try gate.mergePlan(patch))
                answer["ok"] = .bool(true)
                return SandboxHTTP.json(.ok, answer)
            } catch {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("not a fault plan: \(error)")]))
            }
        }
        router.put("/_sandbox/faults", use: merge)
        router.patch("/_sandbox/faults", use: merge)
        router.get("/_sandbox/stats") { [self] _, _ -> Response in
            SandboxHTTP.json(.ok, statistics())
        }
        router.post("/_sandbox/revoke") { [tokens] _, _ -> Response in
            tokens.revokeAccessTokens()
            return SandboxHTTP.json(.ok, .object(["revoked": .bool(true)]))
        }
        router.post("/_sandbox/tokens") { [tokens] _, _ -> Response in
            let issued = tokens.issuePair()
            return SandboxHTTP.json(.ok, .object(["access_token": .string(issued.accessToken), "refresh_token": issued.refreshToken.map { .string($0) } ?? .null]))
        }
    }

    /// What `/_sandbox/stats` answers.
    func statistics() -> JSONValue {
        let calls = gate.statistics
        let tokenCounts = tokens.statistics
        let sent = deliveries.all
        return .object([
            "requests": .object(calls.requests.mapValues { .int($0) }),
            "byStatus": .object(Dictionary(uniqueKeysWithValues: calls.byStatus.map { ("\($0.key)", .int($0.value)) })),
            "rateLimited": .int(calls.rateLimited),
            "injectedFaults": .int(calls.injectedFaults),
            "tokenRequests": .int(tokenCounts.requests),
            "spentTokenReuse": .int(tokenCounts.spentReuse),
            "deliveries": deliveries.json,
            "deliverySummary": .object(["sent": .int(sent.filter { !$0.dropped }.count), "dropped": .int(sent.filter(\.dropped).count)]),
        ])
    }

    private static func present(_ plan: FaultPlan) -> JSONValue {
        var fields = (try? JSONValue.parse(JSONEncoder().encode(plan))) ?? .object([:])
        // The encoder leaves out a nil limit; show it, so the key is discoverable.
        if fields["rateLimitPerMinute"] == nil { fields["rateLimitPerMinute"] = .null }
        return fields
    }
}
