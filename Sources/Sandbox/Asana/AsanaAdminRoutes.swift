import Foundation
import Hummingbird

extension AsanaSandbox {
    /// Asana's own part of the admin API under `/_sandbox` (the shared part, faults, stats,
    /// revocation and tokens, comes from `SandboxAdminAPI`): heartbeats, a webhook deleted
    /// without notice, and expired sync tokens.
    func addAsanaAdminRoutes(to router: Router<BasicRequestContext>) {
        router.post("/_sandbox/heartbeat") { [self] _, _ -> Response in
            sendHeartbeats()
            return SandboxHTTP.json(.ok, .object(["sent": .bool(true)]))
        }
        router.delete("/_sandbox/webhooks/:webhook") { [self] _, context -> Response in
            deleteWebhook(try context.parameters.require("webhook"))
            return SandboxHTTP.json(.ok, .object(["deleted": .bool(true)]))
        }
        router.post("/_sandbox/expire-sync") { [self] _, _ -> Response in
            expireSyncTokens()
            return SandboxHTTP.json(.ok, .object(["expired": .bool(true)]))
        }
    }
}
