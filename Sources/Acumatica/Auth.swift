import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// One cookie session (api digest 2.1 A): signed in once however many calls need it, signed out
/// when the work is done. Each session holds one of the licence's API-user seats (a trial has
/// two), so a second concurrent sign-in for the same client is never made.
actor AcumaticaSession {
    private var cookies: String?
    private var signingIn: Task<String, any Error>?

    /// The `Cookie` header of the live session, signing in first when there is none.
    func cookieHeader(signingInWith client: AcumaticaClient) async throws -> String {
        if let cookies { return cookies }
        if let signingIn { return try await signingIn.value }
        let task = Task { try await AcumaticaSignIn.signIn(client) }
        signingIn = task
        defer { signingIn = nil }
        let header = try await task.value
        cookies = header
        return header
    }

    /// Drops a session the instance no longer knows (after a 401).
    func forget() { cookies = nil }

    /// Takes the live session's cookies out, for signing out.
    func take() -> String? {
        defer { cookies = nil }
        return cookies
    }
}

/// The sign-in and sign-out calls.
enum AcumaticaSignIn {
    /// What the login body carries; older samples send `company` for `tenant` (digest 2.1).
    struct Login: Encodable, Sendable {
        var name: String
        var password: String
        var tenant: String?
        var branch: String?
    }

    /// `POST /entity/auth/login`; returns the cookies to resend (`ASP.NET_SessionId` among them).
    static func signIn(_ client: AcumaticaClient) async throws -> String {
        let connection = client.connection
        let credential = try await client.shell.pipeline.sessionCredential(connection: connection, provider: client.shell.provider)
        guard let name = credential.username, let password = credential.password else {
            throw ConnectorError.validation(field: "credential", message: "connection \(connection.id) signs in with cookies but has no user name and password; connect it again")
        }
        let login = Login(name: name, password: password, tenant: connection[setting: .acumaticaTenant], branch: connection[setting: .acumaticaBranch])
        var request = try OutboundRequest.json(.POST, try client.shell.url("/entity/auth/login"), body: login)
        request.passThroughStatuses = [400, 401, 429, 500]
        let response = try await client.shell.pipeline.sendUnauthenticated(request, connection: connection, provider: client.shell.provider)
        // Acumatica: a sign-in past the licence's API users answers "API Login Limit" (digest 2.1; the C# client maps it to 429).
        if response.status == 429 || response.text.contains("API Login Limit") {
            throw ConnectorError.transient("Acumatica refused the sign-in of \(name): the licence's API-user limit is reached (API Login Limit). "
                + "Sessions not signed out keep their seat until they time out (about 20 minutes); see License Monitoring Console (SM604000)")
        }
        guard (200..<300).contains(response.status) else {
            throw ConnectorError.unauthorized("Acumatica refused the sign-in of \(name) to tenant \(login.tenant ?? "(default)"): \(AcumaticaError.message(of: response))")
        }
        let cookies = response.headers["Set-Cookie"].compactMap { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } }
        guard !cookies.isEmpty else { throw ConnectorError.permanent("Acumatica signed \(name) in but set no session cookie") }
        return cookies.joined(separator: "; ")
    }

    /// `POST /entity/auth/logout` → 204. Best effort: a failure leaves the seat to time out.
    static func signOut(_ client: AcumaticaClient, cookies: String) async {
        guard var request = try? OutboundRequest(method: .POST, url: client.shell.url("/entity/auth/logout")) else { return }
        request.headers.add(name: "Cookie", value: cookies)
        request.passThroughStatuses = [400, 401, 429, 500]
        _ = try? await client.shell.pipeline.sendUnauthenticated(request, connection: client.connection, provider: client.shell.provider)
    }
}

extension AcumaticaClient {
    /// Signs out of the cookie session, if one is open (a no-op under OAuth).
    public func signOut() async {
        guard let session, let cookies = await session.take() else { return }
        await AcumaticaSignIn.signOut(self, cookies: cookies)
    }

    /// Who the credential is and what it reaches: the tenant, with the pinned endpoint and, when
    /// they differ, the versions the instance offers.
    public func identity() async throws -> ConnectedIdentity {
        let credential = try await shell.pipeline.sessionCredential(connection: connection, provider: shell.provider)
        let root = try await endpoints()
        let offered = root.endpoints.filter { $0.name == endpoint.name }.map(\.version)
        let tenant = connection[setting: .acumaticaTenant] ?? credential.clientID?.split(separator: "@").last.map(String.init) ?? "default"
        var detail = "endpoint \(endpoint.name)/\(endpoint.version)"
        if !offered.contains(endpoint.version) {
            detail += "; the instance does not run it, it offers \(offered.isEmpty ? "no \(endpoint.name) endpoint" : offered.joined(separator: ", "))"
        }
        let style = connection.usesCookieSession ? "cookie sign-in" : "OAuth"
        return ConnectedIdentity(user: credential.username ?? credential.clientID ?? "?", accounts: [
            AccountChoice(id: tenant, name: tenant, detail: "\(detail), \(style)", accountRef: tenant,
                          settings: [SettingKey.acumaticaTenant.rawValue: tenant, SettingKey.endpointName.rawValue: endpoint.name, SettingKey.endpointVersion.rawValue: endpoint.version]),
        ])
    }
}
