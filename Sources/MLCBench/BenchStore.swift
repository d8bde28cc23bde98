import Engine
import Foundation
import Logging
import ServiceLifecycle
import Store

/// What every benchmark sets up the same way: its logger, a store in a fresh directory, a
/// worker pool draining the queue.
enum Bench {
    /// The benchmarks' logger: errors only, or the level in `MLC_BENCH_LOG` (`debug`, `info`…).
    static let logger: Logger = {
        var logger = Logger(label: "bench")
        logger.logLevel = ProcessInfo.processInfo.environment["MLC_BENCH_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }()

    /// A fresh temporary directory for one benchmark's SQLite file (and keyring).
    static func freshDirectory() -> String { NSTemporaryDirectory() + "mlc-bench-\(UUID().uuidString.prefix(8))" }

    /// Removes a directory or file made under `freshDirectory()`, if it is there.
    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Opens the store (`databaseURL`, or SQLite in a fresh directory), runs `body`, then
    /// closes the store and removes the directory, whether `body` returned or threw.
    static func withStore<T>(databaseURL: String?, _ body: (SQLStore) async throws -> T) async throws -> T {
        let directory = freshDirectory()
        defer { remove(directory) }
        let store = try await SQLStore.open(databaseURL: databaseURL, dataDirectory: directory, logger: logger)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Runs `body` with `workers` workers draining `store`'s queue, then stops them gracefully.
    static func withWorkers<T>(_ workers: Int, store: SQLStore, registry: JobRegistry, _ body: () async throws -> T) async throws -> T {
        let pool = WorkerPool(runner: JobRunner(store: store, registry: registry, logger: logger), workers: workers, idlePoll: .milliseconds(10))
        let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: logger))
        let running = Task { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await running.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }

    /// Polls `condition` every `interval` until it holds; throws `BenchFailure` after `timeout`.
    static func waitUntil(_ what: String, benchmark: String, timeout: Duration, interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw BenchFailure(benchmark: benchmark, problem: "timed out after \(timeout) waiting for \(what)") }
            try await Task.sleep(for: interval)
        }
    }
}

/// The latency figures every benchmark reports, from one list of samples.
struct Percentiles {
    private let sorted: [Double]

    init(_ samples: [Double]) { sorted = samples.sorted() }

    /// The sample below which `share` (0…1) of the samples lie; 0 when there are none.
    func at(_ share: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * Swift.min(Swift.max(share, 0), 1)))]
    }

    var p50: Double { at(0.5) }
    var p99: Double { at(0.99) }
    var max: Double { sorted.last ?? 0 }
}
