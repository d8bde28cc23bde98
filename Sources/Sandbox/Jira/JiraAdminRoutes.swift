import Foundation
import Hummingbird

extension JiraSandbox {
    /// Jira's own part of the admin API under `/_sandbox` (faults, stats, revocation and tokens
    /// come from `SandboxAdminAPI`): the clock that expires webhooks, and the search lag.
    func addJiraAdminRoutes(to router: Router<BasicRequestContext>) {
        // {"advanceSeconds": 2592000} moves the sandbox clock 30 days on.
        router.post("/_sandbox/clock") { [self] request, _ -> Response in
            let seconds = NSDecimalNumber(decimal: (try await SandboxHTTP.jsonBody(request))["advanceSeconds"]?.decimal ?? 0).doubleValue
            // A century either way at most: 1e20 seconds would overflow the clock.
            guard abs(seconds) <= 100 * 365 * 86400 else {
                return SandboxHTTP.json(.badRequest, .object(["error": .string("advanceSeconds must be within a century either way")]))
            }
            advanceClock(by: .milliseconds(Int64(seconds * 1000)))
            let now = world.withLockedValue { $0.timestamp($0.now) }
            return SandboxHTTP.json(.ok, .object(["now": .string(now)]))
        }
        // {"lagMilliseconds": 1500}: how long a write takes to reach search/jql.
        router.put("/_sandbox/search") { [self] request, _ -> Response in
            let lag = (try await SandboxHTTP.jsonBody(request))["lagMilliseconds"]?.int ?? 0
            setSearchLag(.milliseconds(lag))
            return SandboxHTTP.json(.ok, .object(["lagMilliseconds": .int(lag)]))
        }
    }
}
