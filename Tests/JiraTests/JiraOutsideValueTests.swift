import AsyncHTTPClient
import ConnectorKit
import Foundation
import Hummingbird
import Jira
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Sandbox
import TestSupport
import Testing

/// Numbers and sizes that come from outside (a vendor's answer, a client's request to the
/// sandbox, a delivery's token) at their extremes: 1e20, -1, far too many pieces.
@Suite struct JiraOutsideValueTests {
    /// A JWT with `claims` as written, signed with `secret`, plus `extra` segments.
    static func jwt(claims: String, secret: String = "s3cret", extra: Int = 0) -> String {
        func encode(_ data: Data) -> String { data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") }
        let input = encode(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + encode(Data(claims.utf8))
        return input + "." + encode(Signature.hmacSHA256(Data(input.utf8), secret: secret)) + String(repeating: ".x", count: extra)
    }

    func verdict(_ token: String) throws -> WebhookVerdict {
        let body = #"{"timestamp":1772356530250,"webhookEvent":"jira:issue_updated","issue":{"id":"10001","key":"MLC-2"}}"#
        let delivery = WebhookDelivery(system: .jira, subscriptionID: "sub", headers: HTTPHeaders([("Authorization", "Bearer " + token)]),
                                       body: ByteBuffer(string: body), receivedAt: Date(timeIntervalSince1970: 1_772_356_531))
        return try JiraWebhookVerifier().verify(delivery, subscription: WebhookSubscriptionContext(id: "sub", connectionID: "jira-test", secret: "s3cret"))
    }

    @Test func jwtExpiryAndShapeFromOutside() throws {
        // A far-future exp is the signer's word: only the holder of the secret can write it.
        guard case .accepted = try verdict(Self.jwt(claims: #"{"exp":1e20}"#)) else { Issue.record("a signed exp of 1e20 was refused"); return }
        for (claims, why) in [(#"{"exp":-1}"#, "exp -1"), (#"{"exp":1e400}"#, "exp beyond a Double"), (#"{"exp":"soon"}"#, "exp as text"), (#"{"iss":"jira"}"#, "no exp")] {
            guard case .rejected = try verdict(Self.jwt(claims: claims)) else { Issue.record("accepted a JWT with \(why)"); return }
        }
        // A good token with 10,000 more segments is refused as malformed.
        guard case .rejected(let reason) = try verdict(Self.jwt(claims: #"{"exp":1772356700}"#, extra: 10_000)) else { Issue.record("accepted 10,003 segments"); return }
        #expect(reason == "the JWT is malformed")
    }

    /// A vendor at `router`'s paths, reached with Basic credentials.
    static func client(_ server: SandboxServer) -> JiraClient {
        let connection = Connection(id: "jira-fake", system: .jira, baseURLs: ["api": server.baseURL], settings: ["auth": "token", "rate_limit": "2000/1s"])
        return JiraClient(pipeline: HTTPPipeline(credentials: StaticCredentialSource(Credential(kind: .basic, username: "a@b.test", password: "t"))), connection: connection)
    }

    @Test(arguments: [(Int64(-1), "a time before the watermark"), (Int64(32_503_680_000_000), "the year 3000")])
    func theWorklogWatermarkNeitherRewindsNorRunsAheadOfNow(updatedTime: Int64, what: String) async throws {
        let router = Router()
        router.get("/rest/api/3/worklog/updated") { _, _ -> Response in
            let body = #"{"values":[{"worklogId":7,"updatedTime":\#(updatedTime)}],"since":1,"until":\#(updatedTime),"lastPage":true}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.post("/rest/api/3/worklog/list") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "[]")))
        }
        try await withSandboxServer(router) { server in
            let now = Date()
            let since = Int64(now.addingTimeInterval(-600).timeIntervalSince1970 * 1000)
            let page = try await JiraWorklogFeed(client: Self.client(server)).poll(cursor: String(since), now: now)
            let expected: [ExternalRef] = [.jira(.worklog, "7")]
            #expect(page.events.map(\.ref) == expected, "\(what)")
            let next = try #require(Int64(page.cursor))
            #expect(next >= since && next <= Int64(now.timeIntervalSince1970 * 1000), "\(what) moved the watermark to \(next)")
        }
    }

    @Test func theLocalRecordOfCreatedIssuesStaysWithinItsCapacity() async {
        let record = JiraCreatedIssues(capacity: 8)
        for index in 0..<100 { await record.record("mlc-\(index)", issueKey: "MLC-\(index)") }
        #expect(await record.count <= 8)
        #expect(await record.issueKey(for: "mlc-99") == "MLC-99")
        #expect(await record.issueKey(for: "mlc-0") == nil)
        // A label recorded again is kept by its newest recording, not dropped with its oldest.
        await record.record("mlc-again", issueKey: "MLC-A")
        for index in 100..<105 { await record.record("mlc-\(index)", issueKey: "MLC-\(index)") }
        await record.record("mlc-again", issueKey: "MLC-A")
        for index in 105..<109 { await record.record("mlc-\(index)", issueKey: "MLC-\(index)") }
        #expect(await record.issueKey(for: "mlc-again") == "MLC-A")
    }

    /// Sends `method path` to the sandbox as its first user and answers the status.
    static func status(_ fixture: JiraFixture, _ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> UInt {
        try await send(fixture, method, path, body: body).status
    }

    /// Sends `method path` to the sandbox as its first user and answers the status and the body.
    static func send(_ fixture: JiraFixture, _ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: UInt, body: JSONValue?) {
        var request = HTTPClientRequest(url: fixture.server.baseURL + path)
        request.method = method
        let basic = Data("\(fixture.sandbox.email):\(fixture.sandbox.configuration.apiToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic " + basic)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, try? JSONValue.parse(Data(buffer: answer)))
    }

    @Test func theSandboxAnswersOutsideNumbersWithoutTrapping() async throws {
        try await JiraFixture.with { fixture in
            let issue = try await fixture.client.createIssue(IssueDraft(project: "MLC", issueType: "Task", summary: "Edge"), key: "edge", previousAttemptUncertain: false,
                                                             record: JiraCreatedIssues())
            let worklog = try await fixture.client.addWorklog(issue: issue.key, WorklogDraft(started: Date(), timeSpentSeconds: 60))
            let api = "/rest/api/3"
            // Negative positions and sizes read from the start, within the page limit.
            #expect(try await Self.status(fixture, .GET, "\(api)/issue/\(issue.key)/worklog?startAt=-1&maxResults=-1") == 200)
            #expect(try await Self.status(fixture, .GET, "\(api)/project/search?startAt=-5&maxResults=100000000000") == 200)
            let negativeToken = Data("o:-1".utf8).base64EncodedString()
            #expect(try await Self.status(fixture, .GET, "\(api)/search/jql?jql=project%3DMLC&nextPageToken=\(negativeToken)") == 400)
            // A duration no Int holds, and no time at all, are field errors.
            #expect(try await Self.status(fixture, .POST, "\(api)/issue/\(issue.key)/worklog",
                                          body: #"{"started":"2026-03-01T09:15:30.250+0000","timeSpent":"99999999999999999w"}"#) == 400)
            #expect(try await Self.status(fixture, .PUT, "\(api)/issue/\(issue.key)/worklog/\(worklog.id)", body: #"{"timeSpentSeconds":-1}"#) == 400)
            #expect(try await Self.status(fixture, .PUT, "\(api)/issue/\(issue.key)/worklog/\(worklog.id)", body: #"{"timeSpentSeconds":1e20}"#) == 400)
            #expect(try await fixture.client.worklogs(issue: issue.key).collect().map(\.timeSpentSeconds) == [60])
            // A JQL date in characters no date has.
            #expect(try await Self.status(fixture, .GET, "\(api)/search/jql?jql=updated%20%3E%3D%20%22%E2%80%AE2026-01-01%22") == 400)
            // The admin clock refuses 1e20 seconds instead of overflowing.
            #expect(try await Self.status(fixture, .POST, "/_sandbox/clock", body: #"{"advanceSeconds":1e20}"#) == 400)
        }
    }

    @Test func projectSearchPagesByStartAt() async throws {
        try await JiraFixture.with { fixture in
            #expect(try await fixture.client.projects().collect().map(\.key) == ["MLC"])
            let past = try await Self.send(fixture, .GET, "/rest/api/3/project/search?startAt=1&maxResults=-3")
            #expect(past.status == 200 && past.body?["values"]?.array?.isEmpty == true && past.body?["isLast"]?.bool == true)
            #expect(past.body?["startAt"]?.int == 1 && past.body?["maxResults"]?.int == 1)
        }
    }
}
