import Foundation
import Store
import Testing

/// Callers that arrive while a batch is written share the next one, and each gets its own
/// result only after its batch was written.
@Suite struct GroupCommitTests {
    /// Items each batch held, in order, and a gate that holds the first write open.
    actor Writes {
        var batches: [[Int]] = []
        func record(_ batch: [Int]) { batches.append(batch) }
    }

    @Test func concurrentCallersShareBatchesAndEachGetsItsOwnResult() async throws {
        let writes = Writes()
        let group = GroupCommit<Int, Int>(maximumBatch: 16) { batch in
            await writes.record(batch)
            try? await Task.sleep(for: .milliseconds(5))
            return batch.map { .success($0 * 10) }
        }
        let results = try await withThrowingTaskGroup(of: (Int, Int).self) { tasks in
            for item in 0..<200 { tasks.addTask { (item, try await group.submit(item)) } }
            return try await tasks.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200 && results.allSatisfy { $0.value == $0.key * 10 })
        let batches = await writes.batches
        #expect(batches.count < 200, "callers arriving during a write share the next one")
        #expect(batches.allSatisfy { $0.count <= 16 })
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<200), "every item written once")
        #expect(await group.items == 200)
        #expect(await group.batches == batches.count)
    }

    @Test func eachItemGetsTheResultForItsPlace() async throws {
        struct Odd: Error {}
        let group = GroupCommit<Int, Int>(maximumBatch: 64) { batch in
            batch.map { $0 % 2 == 1 ? .failure(Odd()) : .success($0) }
        }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { tasks in
            for item in 0..<50 { tasks.addTask { (item, (try? await group.submit(item)) != nil) } }
            return await tasks.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.allSatisfy { $0.value == ($0.key % 2 == 0) })
    }

    @Test func itemsWithoutAResultAreToldSoRatherThanLeftWaiting() async throws {
        let group = GroupCommit<Int, Int>(maximumBatch: 64) { batch in
            Array(batch.prefix(1).map { .success($0) })
        }
        let failures = await withTaskGroup(of: Bool.self) { tasks in
            for item in 0..<20 {
                tasks.addTask {
                    do {
                        _ = try await group.submit(item)
                        return false
                    } catch let error as GroupCommitError {
                        if case .resultCountMismatch = error { return true }
                        return false
                    } catch {
                        return false
                    }
                }
            }
            return await tasks.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let batches = await group.batches
        #expect(failures == 20 - batches, "one result per batch: every other item is told, none hangs")
    }

    @Test func aFailedBatchIsSplitOnlyWhenTheErrorAllowsIt() async throws {
        struct Refused: Error {}
        let calls = Writes()
        let split = await writingEachAloneIfBatchFails([1, 2, 3]) { (items: [Int]) -> [Result<Int, any Error>] in
            await calls.record(items)
            if items.contains(2) { throw Refused() }
            return items.map { .success($0) }
        }
        #expect(split.map { (try? $0.get()) } == [1, nil, 3], "one item's failure stays with it")
        #expect(await calls.batches == [[1, 2, 3], [1], [2], [3]])

        let whole = Writes()
        let outage = await writingEachAloneIfBatchFails([1, 2, 3], splittable: { _ in false }) { (items: [Int]) -> [Result<Int, any Error>] in
            await whole.record(items)
            throw Refused()
        }
        #expect(outage.count == 3 && outage.allSatisfy { (try? $0.get()) == nil }, "every item gets the error, none is left without a result")
        #expect(await whole.batches == [[1, 2, 3]], "an error that is everyone's is not waited out once per item")
    }
}
