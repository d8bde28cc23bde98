import ArgumentParser
import ConnectorKit
import Engine
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Server
import ServiceLifecycle
import Store

/// `mlc-bench`: measures the foundation's hot paths. Run it in release:
/// `swift run -c release mlc-bench [--database-url …] [--json]`.
@main
struct MLCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mlc-bench", abstract: "Benchmarks of the job queue, webhook ingress and vault.", subcommands: [FuzzScenario.self, ReadScenario.self])

    @Option(help: "PostgreSQL URL; SQLite in a temporary directory when absent.")
    var databaseURL: String?

    @Option(help: "Jobs to enqueue and drain.")
    var jobs: Int = 2000

    @Option(help: "Webhook deliveries to ingest.")
    var deliveries: Int = 2000

    @Option(help: "Secrets to seal and open.")
    var secrets: Int = 5000

    @Option(help: "Workers draining the queue.")
    var workers: Int = 4

    @Flag(help: "Print one JSON object per benchmark.")
    var json = false

    func validate() throws {
        for (flag, value) in [("--jobs", jobs), ("--deliveries", deliveries), ("--secrets", secrets)] where !(1...10_000_000).contains(value) {
            throw ValidationError("\(flag) must be 1–10000000, got \(value)")
        }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be 1–256, got \(workers)") }
    }

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let directory = NSTemporaryDirectory() + "mlc-bench-\(UUID().uuidString.prefix(8))"
        let store = try await SQLStore.open(databaseURL: databaseURL, dataDirectory: directory, logger: logger)
        defer { Task { await store.close() } }
        let backend = databaseURL == nil ? "sqlite" : "postgres"
        report(try await queue(store, logger: logger), backend: backend)
        report(try await ingress(store, logger: logger), backend: backend)
        report(try vault(store.vault), backend: backend)
    }

    struct Result {
        var name: String
        var figures: [(String, String)]
    }

    func report(_ result: Result, backend: String) {
        if json {
            var object: [String: String] = ["benchmark": result.name, "store": backend]
            for (key, value) in result.figures { object[key] = value }
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(result.name) (\(backend)): " + result.figures.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        }
    }

    /// Enqueue `jobs` jobs, then drain them with the real worker pool.
    func queue(_ store: SQLStore, logger: Logger) async throws -> Result {
        let started = ContinuousClock.now
        try await store.apply((0..<jobs).map { .enqueue(JobRequest(kind: "bench.noop", payload: "{\"n\":\($0)}")) })
        let enqueued = ContinuousClock.now - started
        let pool = WorkerPool(runner: JobRunner(store: store, registry: JobRegistry([NoopHandler()]), logger: logger), workers: workers, idlePoll: .milliseconds(10))
        let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: logger))
        let drainStart = ContinuousClock.now
        let running = Task { try await group.run() }
        while try await store.jobCounts()[.succeeded, default: 0] < jobs {
            try await Task.sleep(for: .milliseconds(20))
        }
        let drained = ContinuousClock.now - drainStart
        await group.triggerGracefulShutdown()
        try await running.value
        return Result(name: "queue", figures: [
            ("jobs", "\(jobs)"), ("enqueue_per_s", rate(jobs, enqueued)), ("drain_per_s", rate(jobs, drained)), ("workers", "\(workers)"),
        ])
    }

    /// Verify, de-duplicate, record and enqueue signed deliveries, measuring each.
    func ingress(_ store: SQLStore, logger: Logger) async throws -> Result {
        try await store.addConnection(Connection(id: "bench-conn", system: .custom("bench")), credential: Credential(kind: .apiToken, accessToken: "bench-token"))
        try await store.saveIntegration(IntegrationRecord(id: "bench-sync", kind: "bench", connections: ["bench": "bench-conn"]))
        let subscription = WebhookSubscription(system: .custom("bench"), connectionID: "bench-conn", status: .active)
        try await store.saveSubscription(subscription, secret: "bench-secret")
        let ingress = WebhookIngress(store: store, verifiers: [BenchVerifier()], router: TriggerRouter(store: store, kinds: ["bench.change"]), logger: logger)
        var latencies: [Double] = []
        for index in 0..<deliveries {
            let body = "{\"id\":\"evt-\(index)\",\"record\":\"\(index % 500)\"}"
            var headers = HTTPHeaders()
            headers.add(name: "X-Bench-Signature", value: Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: "bench-secret")))
            let started = ContinuousClock.now
            let response = try await ingress.handle(system: "bench", subscriptionID: subscription.id, headers: headers, body: ByteBuffer(string: body), query: nil)
            latencies.append((ContinuousClock.now - started).seconds * 1000)
            precondition(response.status == .ok, "delivery refused: \(response.status)")
        }
        latencies.sort()
        return Result(name: "webhook-ingress", figures: [
            ("deliveries", "\(deliveries)"), ("p50_ms", String(format: "%.2f", latencies[latencies.count / 2])),
            ("p99_ms", String(format: "%.2f", latencies[latencies.count * 99 / 100])), ("max_ms", String(format: "%.2f", latencies.last ?? 0)),
        ])
    }

    /// Seal and open secrets.
    func vault(_ vault: Vault) throws -> Result {
        let started = ContinuousClock.now
        for index in 0..<secrets {
            let envelope = try vault.seal(Data("secret-\(index)".utf8), context: "credential:c\(index)")
            _ = try vault.open(envelope, context: "credential:c\(index)")
        }
        return Result(name: "vault", figures: [("secrets", "\(secrets)"), ("seal_open_per_s", rate(secrets, ContinuousClock.now - started))])
    }

    func rate(_ count: Int, _ duration: Duration) -> String {
        String(format: "%.0f", Double(count) / max(duration.seconds, 1e-9))
    }
}

/// Does nothing: the queue's own cost is what is measured.
struct NoopHandler: JobHandler {
    let kind = "bench.noop"

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        JobOutcome()
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
