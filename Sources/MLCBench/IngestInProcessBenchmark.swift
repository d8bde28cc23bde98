import ArgumentParser
import ConnectorKit
import Engine
import Foundation
import NIOCore
import NIOHTTP1
import Server
import Store

/// `mlc-bench ingest-in-process`: verifies, de-duplicates, records and enqueues signed
/// deliveries by calling the ingress directly, one at a time, and checks every delivery was
/// enqueued once. A supporting figure: issue 12's ingest goal is measured over HTTP.
struct IngestInProcessBenchmark: GoalBenchmark {
    static let configuration = CommandConfiguration(commandName: "ingest-in-process", abstract: "Signed deliveries through the ingress, in process, one at a time.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Webhook deliveries to ingest (default 2,000; 200 with --quick).")
    var deliveries: Int?

    func validate() throws {
        if let deliveries, !(1...10_000_000).contains(deliveries) { throw ValidationError("--deliveries must be 1–10000000, got \(deliveries)") }
    }

    func measure() async throws -> [BenchLine] {
        let count = deliveries ?? options.size(full: 2_000, quick: 200)
        let latencies = try await Bench.withStore(databaseURL: options.databaseURL) { store in
            // This run's own ids: a shared PostgreSQL database may hold an earlier run's.
            let run = UInt32.random(in: 100_000...999_999)
            let latencies = try await ingest(count, into: store, run: run)
            let enqueued = try await store.jobs(state: nil, integrationID: "bench-sync-\(run)", limit: count + 1).count
            guard enqueued == count else { throw BenchFailure(benchmark: "ingest-in-process", problem: "\(count) distinct deliveries, \(enqueued) jobs enqueued") }
            return latencies
        }
        return [BenchLine(benchmark: "ingest-in-process", figure: latencies.p50, unit: "ms", goal: "none (supporting figure: p50 of one delivery at a time)", met: true,
                          store: options.storeName, counts: ["deliveries": count, "p99_ms": latencies.p99, "max_ms": latencies.max])]
    }

    /// Sends `count` distinct signed deliveries, each about its own record; returns their latencies in ms.
    private func ingest(_ count: Int, into store: SQLStore, run: UInt32) async throws -> Percentiles {
        let connection = Connection(id: "bench-conn-\(run)", system: .custom("bench"))
        try await store.addConnection(connection, credential: Credential(kind: .apiToken, accessToken: "bench-token"))
        try await store.saveIntegration(IntegrationRecord(id: "bench-sync-\(run)", kind: "bench", connections: ["bench": connection.id]))
        let subscription = WebhookSubscription(system: .custom("bench"), connectionID: connection.id, status: .active)
        try await store.saveSubscription(subscription, secret: "bench-secret")
        let ingress = WebhookIngress(store: store, verifiers: [BenchVerifier()], router: TriggerRouter(store: store, kinds: ["bench.change"]), logger: Bench.logger)
        var latencies: [Double] = []
        for index in 0..<count {
            let body = "{\"id\":\"evt-\(index)\",\"record\":\"\(index)\"}"
            var headers = HTTPHeaders()
            headers.add(name: "X-Bench-Signature", value: Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: "bench-secret")))
            let started = ContinuousClock.now
            let response = try await ingress.handle(system: "bench", subscriptionID: subscription.id, headers: headers, body: ByteBuffer(string: body), query: nil)
            latencies.append((ContinuousClock.now - started).seconds * 1000)
            guard response.status == .ok else { throw BenchFailure(benchmark: "ingest-in-process", problem: "delivery \(index) refused: \(response.status)") }
        }
        return Percentiles(latencies)
    }
}

/// HMAC-SHA256 hex over the body in `X-Bench-Signature`, as most vendors sign.
struct BenchVerifier: WebhookVerifier {
    let system = SystemKind.custom("bench")

    struct Body: Decodable {
        var id: String
        var record: String
    }

    func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        let body = Array(delivery.body.readableBytesView)
        guard let secret = subscription.secret, let signature = delivery.headers.first(name: "X-Bench-Signature"),
              Signature.verifyHexHMACSHA256(presented: signature, body: body, secret: secret) else {
            return .rejected(reason: "bad signature")
        }
        let parsed = try JSONDecoder().decode(Body.self, from: Data(body))
        return .accepted([ChangeEvent(eventID: parsed.id, ref: ExternalRef(system: system, type: "record", id: parsed.record), action: .updated)])
    }
}
