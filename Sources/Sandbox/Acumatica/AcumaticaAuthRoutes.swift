import Foundation
import Hummingbird
import HTTPTypes

extension AcumaticaSandbox {
    /// `POST /entity/auth/login` and `POST /entity/auth/logout` (api digest 2.1 A): a sign-in
    /// opens a cookie session that holds one of the licence's API-user seats until it signs out
    /// (or idles out); one past the limit is refused with "API Login Limit".
    func addAuthRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.post("/entity/auth/login") { [self] request, _ -> Response in
            if let refusal = await faultGate.admit(request, authorize: { nil }) { return refusal }
            let text = try await SandboxHTTP.text(request)
            // JSON or a form, and older samples say `company` for `tenant` (digest 2.1).
            let fields: [String: String] = (try? JSONValue.parse(Data(text.utf8)).object?.compactMapValues(\.text))
                ?? Dictionary(SandboxHTTP.formPairs(text), uniquingKeysWith: { _, last in last })
            let configuration = configuration
            let tenant = fields["tenant"] ?? fields["company"]
            guard fields["name"] == configuration.username, fields["password"] == configuration.password,
                  tenant == nil || tenant == configuration.tenant, fields["branch"] == nil || fields["branch"] == configuration.branch else {
                return Self.httpError(.internalServerError, "Invalid credentials. Please try again.", exception: "PX.Data.PXException: Invalid credentials.")
            }
            let session: String? = world.withLockedValue { world in
                guard world.sessions.count < world.configuration.apiUserLimit else {
                    world.refusedLogins += 1
                    return nil
                }
                let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                world.sessions[id] = Date()
                return id
            }
            guard let session else {
                return Self.httpError(.tooManyRequests, "API Login Limit", exception: "You have reached the maximum number of API users (\(configuration.apiUserLimit)) allowed by the license.")
            }
            var headers = HTTPFields()
            for cookie in ["ASP.NET_SessionId=\(session); path=/; HttpOnly", ".ASPXAUTH=\(UUID().uuidString); path=/; HttpOnly",
                           "UserBranch=\(configuration.branch); path=/", "Locale=Culture=en-US&TimeZone=GMTM0000U; path=/"] {
                headers.append(HTTPField(name: .setCookie, value: cookie))
            }
            return Response(status: .noContent, headers: headers)
        }
        router.post("/entity/auth/logout") { [self] request, _ -> Response in
            faultGate.count(request)
            world.withLockedValue { world in
                world.logouts += 1
                if let session = Self.sessionID(request) { world.sessions[session] = nil }
            }
            return Response(status: .noContent)
        }
    }
}
