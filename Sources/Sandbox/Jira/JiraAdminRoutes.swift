import Foundation
import Hummingbird

extension JiraSandbox {
    /// Jira's own part of the admin API under `/_sandbox` (faults, stats, revocation and tokens
    /// come from `SandboxAdminAPI`): the clock that expires webhooks, and the search lag.
    func addJiraAdminRoutes(to router: Router<BasicRequestContext>) {
        // {"advanceSeconds": 2592000} moves the sandbox clock 30 days on.
        router.post("/_sandbox/clock") { [self] request, _ -> Response in
            let seconds = (try await SandboxHTTP.jsonBody(request))["advanceSeconds"]?.decimal ?? 0
            advanceClock(by: .milliseconds(Int64(NSDecimalNumber(decimal: seconds * 1000).doubleValue)))
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
