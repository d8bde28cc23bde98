import Foundation
import Hummingbird

extension AcumaticaSandbox {
    /// Acumatica's own part of the admin API under `/_sandbox` (faults, stats, revocation and
    /// tokens come from `SandboxAdminAPI`): the sessions holding seats, ending them as an idle
    /// timeout does, and the push destination an administrator sets on SM302000.
    func addAcumaticaAdminRoutes(to router: Router<BasicRequestContext>) {
        router.get("/_sandbox/sessions") { [self] _, _ -> Response in
            SandboxHTTP.json(.ok, .object(["open": .int(openSessions), "limit": .int(configuration.apiUserLimit), "refused": .int(refusedLogins), "logouts": .int(logouts)]))
        }
        router.post("/_sandbox/sessions/expire") { [self] _, _ -> Response in
            expireSessions()
            return SandboxHTTP.json(.ok, .object(["expired": .bool(true)]))
        }
        router.put("/_sandbox/push") { [self] request, _ -> Response in
            let body = try await SandboxHTTP.jsonBody(request)
            guard let url = body["url"]?.text else { return SandboxHTTP.json(.badRequest, .object(["error": .string("url is required")])) }
            configurePush(url: url, headerName: body["headerName"]?.text, headerValue: body["headerValue"]?.text)
            return SandboxHTTP.json(.ok, .object(["ok": .bool(true)]))
        }
    }
}
