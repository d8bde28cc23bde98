import ConnectorKit
import Engine
import Foundation
@testable import Server
import Store
import TestSupport
import Testing

/// Group commit: concurrent deliveries share transactions, and each still learns exactly which
/// of its own changes were new.
@Suite struct IngestBatcherTests {
    func item(_ eventID: String, record: String, subscription: String = "sub-1") throws -> InboxItem {
        let event = ChangeEvent(eventID: eventID, ref: ExternalRef(system: .custom("batch"), type: "record", id: record), action: .updated, connectionID: "conn")
        let job = try JobRequest(kind: "batch.change", coalesceKey: "change:\(record)", payload: ["record": record], source: .webhook)
        return InboxItem(system: .custom("batch"), event: event, subscriptionID: subscription, jobs: [job])
    }

    @Test func aRepeatedEventIsNewOnlyForTheFirstGroupThatCarriedIt() throws {
        let a = try item("a", record: "1"), b = try item("b", record: "2"), c = try item("c", record: "3")
        // The store inserted a (first copy), b and c; the second group's a met the conflict.
        let split = IngestBatcher<Int>.split(fresh: [a, b, c], among: [[a, b], [a, c], []])
        #expect(split.map { group in group.map { $0.event.eventID } } == [["a", "b"], ["c"], []])
    }

    @Test func concurrentDeliveriesShareTransactionsAndEachLearnsItsOwnNewChanges() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let batcher = IngestBatcher<[InboxItem]>(store: store) { $0 }
            // 200 deliveries of 100 events, each event sent twice at once: exactly one copy is new.
            let fresh = try await withThrowingTaskGroup(of: [InboxItem].self) { group in
                for index in 0..<200 {
                    let delivery = [try item("evt-\(index / 2)", record: "\(index / 2)")]
                    group.addTask { try await batcher.ingest(delivery) }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(fresh.count == 100)
            #expect(Set(fresh.map(\.event.eventID)).count == 100)
            #expect(try await store.jobCounts()[.pending] == 100)
            let transactions = await batcher.transactions
            #expect(transactions < 200, "deliveries arriving during a write share the next transaction")
            #expect(await batcher.deliveries == 200)
        }
    }

    @Test func oneFailingDeliveryDoesNotFailItsNeighbours() async throws {
        try await TestDatabase.sqlite.withStore { store in
            // Any batch holding the poisoned delivery fails; the others are retried on their own.
            let batcher = IngestBatcher<String>(store: store) { deliveries in
                if deliveries.contains("poison") { throw IngestBatchError.resolvedCountMismatch(deliveries: 0, groups: 0) }
                return try deliveries.map { [try item($0, record: $0)] }
            }
            let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
                for name in ["one", "poison", "two", "three"] {
                    group.addTask { (name, (try? await batcher.ingest(name)) != nil) }
                }
                return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes == ["one": true, "poison": false, "two": true, "three": true])
            let pending = try await store.jobCounts()[.pending]
            #expect(pending == 3)
        }
    }

    /// A transaction that fails is retried delivery by delivery without resolving them again:
    /// resolving reads the store and audits unrouted changes, which must not happen twice.
    @Test func aFailedCommitIsRetriedWithoutResolvingAgain() async throws {
        let resolved = ResolvedCount()
        let closed = try await TestDatabase.sqlite.makeStore()
        await closed.store.close()
        let batcher = IngestBatcher<String>(store: closed.store) { deliveries in
            await resolved.add(deliveries.count)
            return try deliveries.map { [try item($0, record: $0)] }
        }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<20 {
                group.addTask { (try? await batcher.ingest("evt-\(index)")) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 20, "a closed store records nothing")
        #expect(await resolved.count == 20, "each delivery resolved once")
    }
}

/// Deliveries resolved so far.
actor ResolvedCount {
    var count = 0

    func add(_ deliveries: Int) { count += deliveries }
}
