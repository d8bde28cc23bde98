import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle
import Store

/// Deletes aged records in the background, a batch per transaction with a pause between
/// batches, so ingest and job claims never wait behind a long delete.
public struct RetentionSweeper: Service {
    /// The store swept.
    public var store: any Store
    /// What is kept, for how long.
    public var policy: RetentionPolicy
    /// Time between sweeps.
    public var interval: Duration
    /// Logs of what was deleted.
    public var logger: Logger

    /// Creates a sweeper.
    public init(store: any Store, policy: RetentionPolicy, interval: Duration = .seconds(3600), logger: Logger = Logger(label: "ml-connector.retention")) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    /// Sweeps every target once; returns what was deleted per target.
    @discardableResult
    public func sweep(now: Date = Date()) async throws -> [RetentionTarget: Int] {
        var deleted: [RetentionTarget: Int] = [:]
        for target in RetentionTarget.allCases {
            let cutoff = now.addingTimeInterval(-policy.age(of: target).timeInterval)
            while true {
                let count = try await store.prune(target, olderThan: cutoff, limit: policy.batchSize)
                deleted[target, default: 0] += count
                guard count == policy.batchSize else { break }
                // Let waiting writers in between batches.
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let total = deleted.values.reduce(0, +)
        if total > 0 {
            logger.info("retention sweep deleted aged records", metadata: Dictionary(uniqueKeysWithValues: deleted.map { ($0.key.rawValue, "\($0.value)") }))
        }
        return deleted
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sweep()
            } catch is CancellationError {
                return
            } catch {
                logger.warning("retention sweep failed; it runs again later", metadata: ["error": "\(error)"])
            }
            let interval = interval
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

/// Writes the refused-delivery audit entries of ended minutes, and all of them at shutdown.
struct RejectionFlusher: Service {
    var ledger: RejectionLedger
    var logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(20)) }
            do {
                try await ledger.flush(everything: Task.isShuttingDownGracefully)
            } catch {
                logger.warning("could not write refused-delivery audit entries", metadata: ["error": "\(error)"])
            }
        }
    }
}
