import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1

/// Calls one Acumatica instance's contract-based REST API through the shared client shell:
/// `{instance}/entity/{Endpoint}/{Version}/{Entity}`, wrapped values, `$top`/`$skip` paging.
/// A cookie-session connection signs in on first use and must be signed out of when done
/// (`AcumaticaClient.withSession`): unclosed sessions hold an API-user seat until they time out.
public struct AcumaticaClient: Sendable {
    /// The shared shell: pipeline, connection, resolved provider facts, Acumatica's errors.
    public let shell: VendorClient
    /// The cookie session, for a connection that signs in with a user name and password.
    let session: AcumaticaSession?
    /// How often a running action's `Location` is polled (the official client: every second, digest 2.6).
    public var actionPollInterval: Duration = .seconds(1)
    /// How long an action may run before the wait is given up.
    public var actionTimeout: Duration = .seconds(300)
    /// Records per page of a list (`$top`), at least 1: a `$top` of 0 would page forever.
    public var pageSize = 100 {
        didSet { pageSize = max(1, pageSize) }
    }

    /// Creates a client; a connection whose `auth` setting is `session` signs in with cookies.
    public init(pipeline: HTTPPipeline, connection: Connection) {
        shell = VendorClient(pipeline: pipeline, connection: connection, provider: AcumaticaProvider.description, dialect: AcumaticaError.dialect)
        session = connection.usesCookieSession ? AcumaticaSession() : nil
    }

    /// The connection called for.
    public var connection: Connection { shell.connection }

    /// The endpoint name and version this connection is pinned to.
    public var endpoint: (name: String, version: String) {
        (connection[setting: .endpointName] ?? AcumaticaProvider.defaultEndpointName, connection[setting: .endpointVersion] ?? AcumaticaProvider.defaultEndpointVersion)
    }

    /// `/entity/Default/24.200.001`: where entity paths start.
    public var endpointPath: String { "/entity/\(endpoint.name)/\(endpoint.version)" }

    /// Runs `body` with a client and signs out afterwards, whether it succeeded or not.
    public static func withSession<Value: Sendable>(pipeline: HTTPPipeline, connection: Connection,
                                                    _ body: (AcumaticaClient) async throws -> Value) async throws -> Value {
        let client = AcumaticaClient(pipeline: pipeline, connection: connection)
        // A cookie session holds an API-user seat: one of the connection's seats in this process.
        let seat = client.session == nil ? nil : connection.id
        if let seat { try await SessionSeats.shared.take(seat, limit: try SessionSeats.limit(of: connection)) }
        do {
            let result = try await body(client)
            await client.signOut()
            if let seat { await SessionSeats.shared.giveBack(seat) }
            return result
        } catch {
            await client.signOut()
            if let seat { await SessionSeats.shared.giveBack(seat) }
            throw error
        }
    }

    /// Sends a request to a path under the instance root (`/entity/...`) and returns the 2xx
    /// answer; a cookie session signs in first and, on a 401, signs in again once.
    func raw(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
             headers: HTTPHeaders = [:], repeatable: Bool? = nil) async throws -> InboundResponse {
        guard let session else { return try await shell.raw(method, path, query: query, body: body, headers: headers, repeatable: repeatable) }
        var attempt = 0
        while true {
            var sent = headers
            sent.replaceOrAdd(name: "Cookie", value: try await session.cookieHeader(signingInWith: self))
            do {
                return try await shell.raw(method, path, query: query, body: body, headers: sent, repeatable: repeatable)
            } catch ConnectorError.unauthorized(let message) {
                // The session timed out (about 20 minutes idle, digest 2.1): sign in again, once.
                guard attempt == 0 else { throw ConnectorError.unauthorized(message) }
                attempt += 1
                await session.forget()
            }
        }
    }

    /// Sends a request and decodes the answer.
    func send<Response: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
                                   headers: HTTPHeaders = [:], repeatable: Bool? = nil, as type: Response.Type) async throws -> Response {
        try await raw(method, path, query: query, body: body, headers: headers, repeatable: repeatable).decode(type)
    }

    /// The endpoints and versions the instance offers (`GET /entity`, digest 2.2).
    public func endpoints() async throws -> EntityRoot {
        try await send(.GET, "/entity", as: EntityRoot.self)
    }
}

/// What `GET /entity` answers: the instance's build and its endpoints.
public struct EntityRoot: Codable, Sendable {
    /// The instance's build versions.
    public struct Version: Codable, Sendable {
        /// The Acumatica build.
        public var acumaticaBuildVersion: String?
        /// The database version.
        public var databaseVersion: String?
    }

    /// One endpoint the instance offers.
    public struct Endpoint: Codable, Sendable, Equatable {
        /// `Default`.
        public var name: String
        /// `24.200.001`.
        public var version: String
        /// Its address.
        public var href: String?
    }

    /// The build.
    public var version: Version?
    /// The endpoints.
    public var endpoints: [Endpoint]
}

extension Connection {
    /// True when the connection signs in with cookies (digest 2.1 A) rather than OAuth (2.1 B).
    public var usesCookieSession: Bool { self[setting: .authStyle] == AuthStyle.session }
}
