import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import NIOConcurrencyHelpers

/// A stateful emulator of the Asana API (`/api/1.0`) on loopback, written from Asana's OpenAPI
/// document and the api digest part B, with its own JSON handling.
public final class AsanaSandbox: Sendable {
    /// How the sandbox behaves.
    public struct Configuration: Sendable {
        public var clientID = "1200000000009999"
        public var clientSecret = "sandbox-asana-secret-0001"
        public var redirectURI = "https://localhost/oauth/asana/callback"
        /// OAuth access tokens live this long (Asana: one hour).
        public var accessTokenLifetime: Duration = .seconds(3600)
        /// A webhook failing to deliver for this long is deleted without notice (Asana: 24 h).
        public var webhookFailureSpan: Duration = .seconds(24 * 3600)

        /// The defaults.
        public init() {}
    }

    let world: NIOLockedValueBox<AsanaWorld>
    let http: HTTPClient
    /// The API's path prefix.
    public static let prefix = "/api/1.0"

    /// Creates a sandbox with the demo workspace, team and people.
    public init(configuration: Configuration = Configuration(), http: HTTPClient = .shared) {
        world = NIOLockedValueBox(AsanaWorld(configuration: configuration))
        self.http = http
    }

    /// The demo workspace.
    public var workspaceGID: String { world.withLockedValue { $0.workspaceGID } }
    /// The demo team.
    public var teamGID: String { world.withLockedValue { $0.teamGID } }
    /// A personal access token of the demo user.
    public var personalAccessToken: String { world.withLockedValue { $0.personalAccessToken } }
    /// The OAuth app.
    public var configuration: Configuration { world.withLockedValue { $0.configuration } }

    /// Issues an OAuth access/refresh pair without the browser step.
    public func issueOAuthTokens() -> (accessToken: String, refreshToken: String) {
        world.withLockedValue { world in
            let access = "1/oauth/" + UUID().uuidString.lowercased()
            let refresh = "1/refresh/" + UUID().uuidString.lowercased()
            world.oauthTokens[access] = Date().addingTimeInterval(Double(world.configuration.accessTokenLifetime.components.seconds))
            world.refreshTokens.insert(refresh)
            return (access, refresh)
        }
    }

    /// Replaces the fault plan.
    public func setFaults(_ faults: FaultPlan) { world.withLockedValue { $0.faults = faults } }
    /// The fault plan in force.
    public var faults: FaultPlan { world.withLockedValue { $0.faults } }
    /// Calls received per `METHOD path`.
    public var requestCounts: [String: Int] { world.withLockedValue { $0.requestCounts } }
    /// Webhooks that exist now, by gid.
    public var webhookGIDs: [String] { world.withLockedValue { Array($0.webhooks.keys).sorted() } }

    /// Revokes every token (PAT included): the next call meets a 401.
    public func revokeTokens() {
        world.withLockedValue { world in
            world.revoked.insert(world.personalAccessToken)
            for token in world.oauthTokens.keys { world.revoked.insert(token) }
        }
    }

    /// Deletes a webhook without notice, as Asana does after a day of failures.
    public func deleteWebhook(_ gid: String) {
        _ = world.withLockedValue { $0.webhooks.removeValue(forKey: gid) }
    }

    /// Every route of the emulated API and its admin API.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        addAsanaOAuthRoutes(to: router)
        addWorkspaceRoutes(to: router)
        addProjectRoutes(to: router)
        addCustomFieldRoutes(to: router)
        addTaskRoutes(to: router)
        addWebhookRoutes(to: router)
        addEventRoutes(to: router)
        addAsanaAdminRoutes(to: router)
    }

    /// Reads a JSON request body and keeps it for conformance checks.
    func receivedBody(_ request: Request) async throws -> JSONValue {
        let body = try await SandboxHTTP.jsonBody(request)
        world.withLockedValue { world in
            world.receivedBodies.append(("\(request.method.rawValue) \(request.uri.path)", body))
            if world.receivedBodies.count > 1000 { world.receivedBodies.removeFirst() }
        }
        return body
    }

    /// Request bodies received so far, by `METHOD path`.
    public func receivedBodies() -> [(String, JSONValue)] {
        world.withLockedValue { $0.receivedBodies }
    }

    /// The error envelope: `{"errors": [{"message": …}]}`.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        SandboxHTTP.json(status, .object(["errors": .array([.object(["message": .string(message), "help": .string("For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors")])])]))
    }

    /// `{"data": …}`.
    static func data(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        SandboxHTTP.json(status, .object(["data": value]))
    }

    /// Applies faults and checks the bearer token; the response to send instead, or nil.
    func gate(_ request: Request) async -> Response? {
        let now = Date()
        let (refusal, slow): (Response?, Int) = world.withLockedValue { world in
            world.requestCounts["\(request.method.rawValue) \(request.uri.path)", default: 0] += 1
            let slow = world.faults.slowMilliseconds
            if world.faults.failNext > 0 {
                world.faults.failNext -= 1
                let status = world.faults.failStatus
                var response = Self.error(HTTPResponse.Status(code: status), status == 429 ? "You've made too many requests and hit a rate limit. Please retry after the given amount of time." : "Server Error")
                if status == 429 { response.headers[.retryAfter] = "\(world.faults.retryAfterSeconds)" }
                return (response, slow)
            }
            if let limit = world.faults.rateLimitPerMinute {
                let window = Double(max(1, world.faults.rateLimitWindowSeconds))
                world.callTimes = world.callTimes.filter { now.timeIntervalSince($0) < window }
                if world.callTimes.count >= limit {
                    world.faults.rateLimitedCount += 1
                    var response = Self.error(.tooManyRequests, "You've made too many requests and hit a rate limit. Please retry after the given amount of time.")
                    response.headers[.retryAfter] = "\(max(1, Int((window - now.timeIntervalSince(world.callTimes[0])).rounded(.up))))"
                    return (response, slow)
                }
                world.callTimes.append(now)
            }
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return (Self.error(.unauthorized, "Not Authorized"), slow) }
            let token = String(header.dropFirst(7))
            let valid = !world.revoked.contains(token) && (token == world.personalAccessToken || (world.oauthTokens[token].map { $0 > now } ?? false))
            return (valid ? nil : Self.error(.unauthorized, "Not Authorized"), slow)
        }
        if slow > 0 { try? await Task.sleep(for: .milliseconds(slow)) }
        return refusal
    }

    /// True when the request's token is an OAuth token (only those may read and write `external`).
    func isOAuth(_ request: Request) -> Bool {
        let token = String((request.headers[.authorization] ?? "").dropFirst(7))
        return world.withLockedValue { $0.oauthTokens[token] != nil }
    }

    /// The fields `opt_fields` asks for (top-level names), or nil for compact records.
    static func optFields(_ request: Request) -> Set<String>? {
        guard let text = SandboxHTTP.queryValue(request, "opt_fields"), !text.isEmpty else { return nil }
        return Set(text.split(separator: ",").map { String($0.split(separator: ".").first ?? "") })
    }

    /// A record as asked for: compact, or with the `opt_fields` requested.
    static func shape(_ record: JSONValue, fields: Set<String>?) -> JSONValue {
        guard let fields else { return AsanaWorld.compact(record) }
        guard case .object(let all) = record else { return record }
        var out: [String: JSONValue] = ["gid": all["gid"] ?? .null, "resource_type": all["resource_type"] ?? .null]
        for key in fields { if let value = all[key] { out[key] = value } }
        return .object(out)
    }

    /// One page of a list: `limit` 1–100, opaque `offset`, `next_page` only when `limit` was sent.
    static func page(_ records: [JSONValue], request: Request, fields: Set<String>?) -> Response {
        let limitText = SandboxHTTP.queryValue(request, "limit")
        if let limitText, Int(limitText).map({ !(1...100).contains($0) }) ?? true {
            return error(.badRequest, "limit: Must be between 1 and 100")
        }
        let limit = limitText.flatMap(Int.init) ?? records.count
        var start = 0
        if let offset = SandboxHTTP.queryValue(request, "offset") {
            guard let decoded = Data(base64Encoded: offset).flatMap({ Int(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "o:", with: "")) }) else {
                return error(.badRequest, "offset: Your pagination token is invalid.")
            }
            start = decoded
        }
        let slice = Array(records.dropFirst(start).prefix(max(limit, 1)))
        var next: JSONValue = .null
        if limitText != nil, start + limit < records.count {
            let token = Data("o:\(start + limit)".utf8).base64EncodedString()
            var query = SandboxHTTP.query(request).filter { $0.0 != "offset" }
            query.append(("offset", token))
            let path = request.uri.path.replacingOccurrences(of: prefix, with: "") + "?" + SandboxHTTP.formEncode(query)
            next = .object(["offset": .string(token), "path": .string(path), "uri": .string("https://app.asana.com/api/1.0" + path)])
        }
        return SandboxHTTP.json(.ok, .object(["data": .array(slice.map { shape($0, fields: fields) }), "next_page": next]))
    }
}

extension AsanaSandbox {
    /// Creates a custom field definition (demo and tests); returns its gid and option gids by name.
    @discardableResult
    public func createCustomField(name: String, subtype: String, precision: Int? = nil, options: [String] = []) -> (gid: String, options: [String: String]) {
        world.withLockedValue { world in
            let gid = world.newGID()
            var fields: [String: JSONValue] = [
                "gid": .string(gid), "resource_type": .string("custom_field"), "name": .string(name), "resource_subtype": .string(subtype), "type": .string(subtype),
                "description": .string(""), "enabled": .bool(true), "is_global_to_workspace": .bool(false), "has_notifications_enabled": .bool(true),
            ]
            var optionGIDs: [String: String] = [:]
            if subtype == "number" { fields["precision"] = .int(precision ?? 2); fields["format"] = .string("none") }
            if subtype == "enum" {
                fields["enum_options"] = .array(options.map { option in
                    let optionGID = world.newGID()
                    optionGIDs[option] = optionGID
                    return .object(["gid": .string(optionGID), "resource_type": .string("enum_option"), "name": .string(option), "enabled": .bool(true), "color": .string("none")])
                })
            }
            world.customFields[gid] = .object(fields)
            return (gid, optionGIDs)
        }
    }

    /// Attaches a custom field to a project (demo and tests).
    public func attach(field: String, to project: String) {
        world.withLockedValue { world in
            if !world.projectFieldSettings[project, default: []].contains(field) { world.projectFieldSettings[project, default: []].append(field) }
        }
    }

    /// Renames a custom field, as a user might in Asana's UI.
    public func renameCustomField(_ gid: String, to name: String) {
        world.withLockedValue { world in world.customFields[gid]?["name"] = .string(name) }
    }
}

extension AsanaSandbox {
    /// Creates a project in the demo team (seeding for the demo and `ml-connector sandbox`).
    @discardableResult
    public func seedProject(name: String) -> String {
        world.withLockedValue { world in
            let gid = world.newGID()
            let now = AsanaWorld.timestamp(Date())
            world.projects[gid] = .object([
                "gid": .string(gid), "resource_type": .string("project"), "name": .string(name), "notes": .string(""), "archived": .bool(false), "completed": .bool(false),
                "color": .null, "due_on": .null, "start_on": .null, "created_at": .string(now), "modified_at": .string(now),
                "owner": .object(["gid": .string(world.meGID), "resource_type": .string("user")]),
                "team": .object(["gid": .string(world.teamGID), "resource_type": .string("team"), "name": .string("Delivery")]),
                "workspace": .object(["gid": .string(world.workspaceGID), "resource_type": .string("workspace"), "name": .string("Sandbox Agency")]),
                "members": .array([]), "custom_field_settings": .array([]), "permalink_url": .string("https://app.asana.com/0/\(gid)/list"),
            ])
            world.sections[gid] = [.object(["gid": .string(world.newGID()), "resource_type": .string("section"), "name": .string("Untitled section")])]
            return gid
        }
    }

    /// What `ml-connector sandbox --json` prints for Asana.
    public func describe(server: SandboxServer, projectGID: String) -> [String: Any] {
        let tokens = issueOAuthTokens()
        let configuration = configuration
        return [
            "baseURL": server.baseURL + Self.prefix, "authURL": server.baseURL, "adminURL": server.baseURL + "/_sandbox",
            "credentials": ["personalAccessToken": personalAccessToken, "clientId": configuration.clientID, "clientSecret": configuration.clientSecret,
                            "redirectURI": configuration.redirectURI, "accessToken": tokens.accessToken, "refreshToken": tokens.refreshToken],
            "ids": ["workspaceGid": workspaceGID, "teamGid": teamGID, "projectGid": projectGID],
        ]
    }
}
