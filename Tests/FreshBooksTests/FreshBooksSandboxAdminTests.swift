import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

/// The FreshBooks sandbox's admin API (`/_sandbox`), shared with every vendor sandbox: partial
/// fault plans merge over the plan in force, and `/_sandbox/stats` counts what was answered.
@Suite struct FreshBooksSandboxAdminTests {
    /// Raw JSON over loopback, so the test sees exactly what the sandbox sends.
    static func call(_ server: SandboxServer, _ method: HTTPMethod, _ path: String, _ body: String? = nil, bearer: String? = nil) async throws -> (status: Int, json: JSONValue) {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), data.isEmpty ? .null : try JSONValue.parse(data))
    }

    @Test func aPartialFaultPlanIsMergedAndStatsCountStatuses() async throws {
        try await withSandbox(try await FreshBooksSandbox.serve()) { sandbox, server in
            let token = sandbox.issueTokens().accessToken
            func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil, bearer: String? = nil) async throws -> (status: Int, json: JSONValue) {
                try await Self.call(server, method, path, body, bearer: bearer)
            }

            // The brief's example: one key, the rest of the plan kept.
            #expect(try await call(.PUT, "/_sandbox/faults", #"{"rateLimitPerMinute": 1500}"#).status == 200)
            #expect(try await call(.PATCH, "/_sandbox/faults", #"{"failNext": 1, "failStatus": 500}"#).json["rateLimitPerMinute"]?.int == 1500)
            #expect(try await call(.PUT, "/_sandbox/faults", #"{"rateLimitPerMinute": 2}"#).json["failNext"]?.int == 1)
            #expect(sandbox.faults.failStatus == 500 && sandbox.faults.rateLimitPerMinute == 2)
            #expect(try await call(.PATCH, "/_sandbox/faults", #"{"failNext": "many"}"#).status == 400)
            #expect(try await call(.PATCH, "/_sandbox/faults", "[1]").status == 400)

            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await call(.GET, "/auth/api/v1/users/me", bearer: token).status) }
            #expect(statuses == [500, 200, 200, 429])

            // A spent refresh token shows up as reuse.
            let pair = sandbox.issueTokens()
            let form = "grant_type=refresh_token&client_id=\(sandbox.configuration.clientID)&client_secret=\(sandbox.configuration.clientSecret)&refresh_token=\(pair.refreshToken)"
            #expect(try await call(.POST, "/auth/oauth/token", form).status == 200)
            #expect(try await call(.POST, "/auth/oauth/token", form).status == 401)

            let stats = try await call(.GET, "/_sandbox/stats").json
            #expect(stats["byStatus"] == .object(["200": .int(3), "401": .int(1), "429": .int(1), "500": .int(1)]))
            #expect(stats["rateLimited"]?.int == 1 && stats["injectedFaults"]?.int == 1)
            #expect(stats["requests"]?["GET /auth/api/v1/users/me"]?.int == 4)
            #expect(stats["tokenRequests"]?.int == 2 && stats["spentTokenReuse"]?.int == 1)
            #expect(stats["deliveries"] == .array([]))
        }
    }

    @Test func aFaultPlanWithNumbersNoSandboxCanActOnIsRefused() async throws {
        try await withSandbox(try await FreshBooksSandbox.serve()) { sandbox, server in
            for body in [#"{"failNext": 1e20}"#, #"{"failNext": -1}"#, #"{"slowMilliseconds": 1e20}"#, #"{"slowMilliseconds": 86400000}"#,
                         #"{"webhookDelayMilliseconds": -5}"#, #"{"failStatus": 5000}"#, #"{"failStatus": 200}"#, #"{"failWritesStatus": -1}"#,
                         #"{"rateLimitPerMinute": -1}"#, #"{"rateLimitWindowSeconds": 0}"#, #"{"retryAfterSeconds": -3}"#] {
                let answer = try await Self.call(server, .PATCH, "/_sandbox/faults", body)
                #expect(answer.status == 400, "\(body) was accepted")
            }
            #expect(sandbox.faults == FaultPlan())

            // A limit of none used to index an empty window (a trap); now every call is refused.
            let token = sandbox.issueTokens().accessToken
            #expect(try await Self.call(server, .PATCH, "/_sandbox/faults", #"{"rateLimitPerMinute": 0, "rateLimitWindowSeconds": 30}"#).status == 200)
            var request = HTTPClientRequest(url: server.baseURL + "/auth/api/v1/users/me")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let refused = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(refused.status.code == 429 && refused.headers.first(name: "Retry-After") == "30")
        }
    }

    @Test func aPageNumberPastAnyListIsAnEmptyPage() async throws {
        try await withSandbox(try await FreshBooksSandbox.serve()) { sandbox, server in
            let token = sandbox.issueTokens().accessToken
            for path in ["/accounting/account/\(sandbox.accountID)/users/clients", "/projects/business/\(sandbox.businessID)/projects"] {
                let answer = try await Self.call(server, .GET, path + "?page=9223372036854775807&per_page=100", bearer: token)
                #expect(answer.status == 200, "\(path): \(answer.json)")
                let items = answer.json["response"]?["result"]?["clients"] ?? answer.json["projects"]
                #expect(items == .array([]), "\(path): \(answer.json)")
            }
        }
    }

    @Test func listsAndReadsPresentTheSameCallback() async throws {
        try await withSandbox(try await FreshBooksSandbox.serve()) { sandbox, server in
            let token = sandbox.issueTokens().accessToken
            let base = "/events/account/\(sandbox.accountID)/events/callbacks"
            let created = try await Self.call(server, .POST, base, #"{"callback": {"event": "invoice.create", "uri": "http://127.0.0.1:9/hook"}}"#, bearer: token)
            #expect(created.status == 200)
            let listed = try #require(try await Self.call(server, .GET, base, bearer: token).json["response"]?["result"]?["callbacks"]?.array?.first)
            let id = try #require(listed["callbackid"]?.int)
            let read = try await Self.call(server, .GET, "\(base)/\(id)", bearer: token).json["response"]?["result"]?["callback"]
            #expect(listed == read)
        }
    }
}
