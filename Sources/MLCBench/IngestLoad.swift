import ArgumentParser
import ConnectorKit
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What one run of the load generator sends: handed to the child process as JSON on stdin.
struct LoadPlan: Codable, Sendable {
    /// `healthz` (plain `GET /healthz`) or `deliveries` (signed webhook deliveries).
    enum Kind: String, Codable, Sendable { case healthz, deliveries }

    var port: Int
    var connections: Int
    var kind: Kind
    /// The first delivery index and how many distinct deliveries (or health requests) to send.
    var first: Int
    var count: Int
    /// Requests per second on a fixed schedule, latency counted from each request's due time
    /// (a slow answer delays the requests behind it and is charged for it); nil: each
    /// connection sends its next request as soon as the previous one is answered.
    var rate: Double?
    /// Every `duplicateEvery`-th delivery is sent twice in a row, so the two copies are often
    /// on two connections at once (0: none).
    var duplicateEvery: Int
    var targets: DeliveryTargets

    /// Whether the plan is one the generator can run: every count bounded, so no index
    /// overflows and no list outgrows memory (the plan arrives on stdin).
    var isRunnable: Bool {
        (1...65_535).contains(port) && (1...1_000).contains(connections) && (0...10_000_000).contains(first) && (1...10_000_000).contains(count)
            && (0...10_000_000).contains(duplicateEvery) && (rate.map { $0 > 0 && $0 <= 1_000_000 } ?? true)
    }
}

/// The subscriptions the deliveries are signed for (bench-only secrets, never logged).
struct DeliveryTargets: Codable, Sendable {
    var freshBooksSubscription: String
    var freshBooksVerifier: String
    var freshBooksAccount: String
    var freshBooksBusiness: String
    var asanaSubscription: String
    var asanaSecret: String
    /// Digits that make this run's Asana task gids its own, so a rerun on the same database
    /// is never taken for a replay of the last one.
    var asanaGIDPrefix: String
}

/// What the load generator measured.
struct LoadResult: Codable, Sendable {
    var sent: Int
    var ok: Int
    /// Answers other than 200, by status code.
    var refused: [String: Int]
    var seconds: Double
    var p50Ms: Double
    var p99Ms: Double
    var maxMs: Double

    var rate: Double { Double(sent) / max(seconds, 1e-9) }
}

/// Signed deliveries, built from the vendors' own descriptions of their signatures rather
/// than from our verifiers: an even index is a FreshBooks invoice callback, an odd one an
/// Asana task event.
enum SignedDelivery {
    /// FreshBooks (api digest A7): a form body; the signature is base64(HMAC-SHA256(verifier,
    /// Python `json.dumps` of the fields as strings, in order, with `", "` and `": "`)).
    static func freshBooks(objectID: String, _ targets: DeliveryTargets) -> (path: String, headers: [(String, String)], body: String) {
        let fields = [("name", "invoice.update"), ("object_id", objectID), ("account_id", targets.freshBooksAccount),
                      ("business_id", targets.freshBooksBusiness), ("identity_id", "4242")]
        // Every value here is letters and digits, which json.dumps writes as they are.
        let message = "{" + fields.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ") + "}"
        let signature = Signature.hmacSHA256(Data(message.utf8), secret: targets.freshBooksVerifier).base64EncodedString()
        let body = fields.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return ("/webhooks/freshbooks/\(targets.freshBooksSubscription)",
                [("Content-Type", "application/x-www-form-urlencoded"), ("X-FreshBooks-Hmac-SHA256", signature)], body)
    }

    /// Asana (api digest B7): a JSON body of events; `X-Hook-Signature` is the hex
    /// HMAC-SHA256 of the raw body under the handshake's secret.
    static func asana(taskGID: String, _ targets: DeliveryTargets) -> (path: String, headers: [(String, String)], body: String) {
        let body = """
        {"events":[{"user":{"gid":"9001","resource_type":"user"},"created_at":"2025-03-01T12:00:00.000Z","action":"changed",\
        "resource":{"gid":"\(taskGID)","resource_type":"task","resource_subtype":"default_task"},"parent":null,\
        "change":{"field":"name","action":"changed"}}]}
        """
        let signature = Signature.hex(Signature.hmacSHA256(Data(body.utf8), secret: targets.asanaSecret))
        return ("/webhooks/asana/\(targets.asanaSubscription)", [("Content-Type", "application/json"), ("X-Hook-Signature", signature)], body)
    }

    /// The FreshBooks object id or Asana task gid of delivery `index`.
    static func recordID(_ index: Int, _ targets: DeliveryTargets) -> String {
        index.isMultiple(of: 2) ? String(index) : targets.asanaGIDPrefix + String(index)
    }

    /// Delivery `index` as a request.
    static func request(_ index: Int, _ targets: DeliveryTargets) -> LoadRequest {
        let id = recordID(index, targets)
        let (path, headers, body) = index.isMultiple(of: 2) ? freshBooks(objectID: id, targets) : asana(taskGID: id, targets)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: "127.0.0.1")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Content-Length", value: String(body.utf8.count))
        return LoadRequest(head: head, body: ByteBuffer(string: body))
    }
}

/// One request, ready to write.
struct LoadRequest {
    var head: HTTPRequestHead
    var body: ByteBuffer?
}

/// `mlc-bench ingest-load` (internal): the ingest benchmark's load generator, run as a child
/// process so it never shares the server's threads. Reads a `LoadPlan` on stdin, prints a
/// `LoadResult`.
struct IngestLoadGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest-load", abstract: "(internal) the ingest benchmark's load generator.", shouldDisplay: false)

    func run() async throws {
        let plan = try JSONDecoder().decode(LoadPlan.self, from: FileHandle.standardInput.readDataToEndOfFile())
        guard plan.isRunnable else { throw ValidationError("the load plan is out of bounds") }
        let result = try await LoadDriver.run(plan)
        print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
    }

    /// Runs `plan` in a child process of this executable and returns what it measured.
    static func spawn(_ plan: LoadPlan) async throws -> LoadResult {
        let process = Process()
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["ingest-load"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(plan))
        try input.fileHandleForWriting.close()
        var status: Int32 = -1
        for await code in exited { status = code }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        guard status == 0, let result = try? JSONDecoder().decode(LoadResult.self, from: data) else {
            throw BenchFailure(benchmark: "ingest", problem: "the load generator failed (exit \(status)): \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        return result
    }
}
