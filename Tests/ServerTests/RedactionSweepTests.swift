import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Server
import Store
import TestSupport
import Testing

/// A run that handles tokens and secrets — a refresh, a failure that echoes a token, a forged
/// webhook — leaves none of them in logs, audit entries, dead letters, errors, the database
/// file or CLI output.
@Suite struct RedactionSweepTests {
    static let provider = ProviderDescription(
        system: .custom("oauthvendor"), defaultBaseURLs: [:],
        tokenEndpoint: TokenEndpoint(baseURLRole: "auth", path: "/oauth/token"),
        rateLimit: RateLimit(requests: 1000, per: .seconds(1))
    )

    struct CallVendor: JobHandler {
        let kind = "redact.call"
        let pipeline: HTTPPipeline
        let connection: Connection
        let url: String

        func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
            _ = try await pipeline.send(OutboundRequest(method: .GET, url: url + "?access_token=query-secret-0003"), connection: connection, provider: RedactionSweepTests.provider)
            context.logger.info("called the vendor")
            return JobOutcome(sourceRef: "oauthvendor:resource:1")
        }
    }

    struct EchoingFailure: JobHandler {
        let kind = "redact.fail"
        let store: SQLStore

        func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
            let credential = try await store.credential(for: "oauth-r").credential
            // Vendors do echo what they were sent; the trail must not.
            throw ConnectorError.permanent("vendor said token \(credential.accessToken ?? "") and secret \(credential.clientSecret ?? "") are invalid; Authorization: Bearer \(credential.accessToken ?? "")")
        }
    }

    @Test func aRunWithSecretsLeavesNoneBehind() async throws {
        let test = try await TestDatabase.sqlite.makeStore()
        let store = test.store
        try await FakeOAuthVendor.with(refreshToken: "refresh-secret-first-0001", tokenDelay: .milliseconds(10)) { vendor in
            let clientSecret = "client-secret-redact-me-01"
            let hookSecret = "hook-secret-redact-me-02"
            let connection = Connection(id: "oauth-r", system: .custom("oauthvendor"), baseURLs: ["api": vendor.server.baseURL, "auth": vendor.server.baseURL])
            try await store.addConnection(connection, credential: Credential(kind: .oauth2, accessToken: "stale-access-secret-01", refreshToken: "refresh-secret-first-0001",
                                                                              clientID: "client-id", clientSecret: clientSecret))
            let subscription = WebhookSubscription(system: .custom("testhook"), connectionID: nil)
            try await store.saveSubscription(subscription, secret: hookSecret)

            let sink = CapturingLogHandler()
            let logger = Logger(label: "sweep") { _ in RedactingLogHandler(wrapping: sink) }
            let pipeline = HTTPPipeline(credentials: store, logger: logger)
            let registry = JobRegistry([CallVendor(pipeline: pipeline, connection: connection, url: vendor.server.baseURL + "/resource"), EchoingFailure(store: store)])
            let runner = JobRunner(store: store, registry: registry, logger: logger)
            for kind in ["redact.call", "redact.fail"] {
                try await store.enqueue(JobRequest(kind: kind, connectionID: connection.id))
                let claim = try #require(try await store.claimJobs(worker: "w", kinds: [kind], limit: 1, lease: .seconds(30), now: Date()).first)
                await runner.run(claim)
            }
            #expect(vendor.tokenCalls == 1 && vendor.resourceCalls == 1)

            // A forged delivery whose body carries the webhook secret is rejected and logged.
            let ingress = WebhookIngress(store: store, verifiers: [TestWebhookVerifier()], router: TriggerRouter(store: store, kinds: []), logger: logger)
            let app = Application(router: ServerApp(configuration: ServerConfiguration(), store: store, ingress: ingress).makeRouter())
            try await app.test(.router) { client in
                let forged = #"{"events":[],"secret":"\#(hookSecret)"}"#
                let response = try await client.execute(uri: "/webhooks/testhook/\(subscription.id)", method: .post,
                                                        headers: [HTTPField.Name("X-Test-Signature")!: hookSecret], body: ByteBuffer(string: forged))
                #expect(response.status == .unauthorized)
            }

            let secrets = ["stale-access-secret-01", "refresh-secret-first-0001", vendor.currentAccessToken, vendor.currentRefreshToken, clientSecret, hookSecret, "query-secret-0003"]
            var haystacks: [String: String] = [:]
            haystacks["logs"] = sink.lines.joined(separator: "\n")
            let encoder = JSONEncoder()
            haystacks["audit"] = String(decoding: try encoder.encode(try await store.auditEntries(AuditFilter(limit: 1000))), as: UTF8.self)
            haystacks["dead letters"] = String(decoding: try encoder.encode(try await store.deadLetters(tenant: nil, includeReplayed: true, limit: 100)), as: UTF8.self)
            haystacks["jobs"] = String(decoding: try encoder.encode(try await store.jobs(state: nil, integrationID: nil, limit: 100)), as: UTF8.self)
            #expect(sink.lines.contains { $0.contains("called the vendor") })
            #expect(try await store.auditEntries(AuditFilter(outcome: .dead)).first?.error?.contains("are invalid") == true)
            await store.close()

            for file in ["ml-connector.sqlite", "ml-connector.sqlite-wal"] {
                if let data = FileManager.default.contents(atPath: test.dataDirectory + "/" + file) {
                    haystacks[file] = String(decoding: data, as: UTF8.self)
                }
            }
            let environment = ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey]
            for command in [["audit", "--json", "--limit", "1000"], ["audit"], ["dead-letters", "--json", "--all"], ["dead-letters", "--all"], ["connection", "list", "--json"], ["jobs", "--json"]] {
                let result = try await PackageExecutable.run("ml-connector", command + ["--data-dir", test.dataDirectory], environment: environment)
                #expect(result.status == 0, "\(command): \(result.stderr)")
                haystacks["ml-connector \(command.joined(separator: " "))"] = result.stdout + result.stderr
            }
            let badURL = try await PackageExecutable.run("ml-connector", ["connection", "list", "--database-url", "postgres://mlc:supersecretpw-7@127.0.0.1:1/db", "--data-dir", test.dataDirectory], environment: environment)
            #expect(badURL.status != 0 && badURL.stderr.contains("cannot reach PostgreSQL"))
            haystacks["bad database url"] = badURL.stdout + badURL.stderr

            for (place, text) in haystacks {
                for secret in secrets + ["supersecretpw-7"] {
                    #expect(!text.contains(secret), "\(place) contains \(secret)")
                }
            }
        }
    }
}

