import Foundation
import Hummingbird
import HTTPTypes

extension FreshBooksSandbox {
    /// Applies injected faults and checks the bearer token; returns the response to send
    /// instead of the route's own, or nil to proceed.
    func gate(_ request: Request, family: FreshBooksErrors.Family, account: String? = nil, business: String? = nil) async -> Response? {
        let now = Date()
        let decision: (Response?, Int) = world.withLockedValue { world in
            world.requestCounts["\(request.method.rawValue) \(request.uri.path)", default: 0] += 1
            let slow = world.faults.slowMilliseconds
            if world.faults.failNext > 0 {
                world.faults.failNext -= 1
                let status = world.faults.failStatus
                var headers: HTTPFields = [:]
                if status == 429 { headers[.retryAfter] = "\(world.faults.retryAfterSeconds)" }
                return (SandboxHTTP.json(HTTPResponse.Status(code: status), .object(["errno": .int(status), "message": .string("injected fault")]), headers: headers), slow)
            }
            if let limit = world.faults.rateLimitPerMinute {
                let window = Double(max(1, world.faults.rateLimitWindowSeconds))
                world.callTimes = world.callTimes.filter { now.timeIntervalSince($0) < window }
                if world.callTimes.count >= limit {
                    world.faults.rateLimitedCount += 1
                    let wait = max(1, Int((window - now.timeIntervalSince(world.callTimes[0])).rounded(.up)))
                    return (SandboxHTTP.json(.tooManyRequests, .object(["errno": .int(429), "message": .string("Too many requests")]), headers: [.retryAfter: "\(wait)"]), slow)
                }
                world.callTimes.append(now)
            }
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
                return (FreshBooksErrors.unauthorized(family), slow)
            }
            let token = String(header.dropFirst("Bearer ".count))
            guard let access = world.accessTokens[token], !access.revoked, access.expiresAt > now else {
                return (FreshBooksErrors.unauthorized(family), slow)
            }
            if let account, !world.businesses.contains(where: { $0.accountID == account }) {
                return (FreshBooksErrors.notFound(family, object: "account", field: "accountid", value: account), slow)
            }
            if let business, !world.businesses.contains(where: { "\($0.id)" == business }) {
                return (FreshBooksErrors.notFound(family, object: "business", field: "business_id", value: business), slow)
            }
            return (nil, slow)
        }
        if decision.1 > 0 { try? await Task.sleep(for: .milliseconds(decision.1)) }
        return decision.0
    }

    /// True when the next create's response must be lost (the write still happens).
    func takeLostCreate() -> Bool {
        world.withLockedValue { world in
            guard world.faults.loseNextCreateResponses > 0 else { return false }
            world.faults.loseNextCreateResponses -= 1
            return true
        }
    }

    /// The response a create sends: its own, or a 502 when the fault plan loses it.
    func createResponse(_ response: Response) -> Response {
        takeLostCreate() ? SandboxHTTP.json(.badGateway, .object(["message": .string("upstream connection lost")])) : response
    }
}
