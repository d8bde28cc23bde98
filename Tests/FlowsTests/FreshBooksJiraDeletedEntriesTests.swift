import Flows
import Testing

/// The check of linked time entries for deletions: a bounded batch per run, in id order from
/// the cursor, every entry reached, and a run cut short never reads its entries again.
@Suite struct FreshBooksJiraDeletedEntriesTests {
    typealias Check = FreshBooksJiraDeletedEntriesJob

    @Test func runsWalkEveryEntryInBatchesThenStartOver() {
        let entries = Set(1...60)
        var after = 0
        var seen: [Int] = []
        for _ in 0..<3 {
            let batch = Check.batch(entries, after: after, size: 25)
            #expect(batch.count <= 25)
            seen += batch
            after = Check.cursor(batch: batch, checked: batch.count, size: 25)
        }
        #expect(seen == Array(1...60), "three runs cover 60 entries once each")
        #expect(after == 0, "a short batch reached the end: the next run starts over")
        #expect(Check.batch(entries, after: after, size: 25) == Array(1...25))
    }

    @Test func aFullBatchEndingAtTheLastEntryStartsOverNextRun() {
        let entries = Set(1...25)
        let batch = Check.batch(entries, after: 0, size: 25)
        let after = Check.cursor(batch: batch, checked: 25, size: 25)
        #expect(after == 25)
        #expect(Check.batch(entries, after: after, size: 25) == Array(1...25))
    }

    @Test func aRunCutShortResumesAfterTheLastEntryItRead() {
        let entries = Set([3, 8, 13, 21, 34])
        let batch = Check.batch(entries, after: 0, size: 25)
        // The third read failed (a rate limit): two entries were read.
        let after = Check.cursor(batch: batch, checked: 2, size: 25)
        #expect(after == 8)
        #expect(Check.batch(entries, after: after, size: 25) == [13, 21, 34], "the retry reads neither 3 nor 8 again")
    }

    @Test func noLinkedEntriesIsAnEmptyBatch() {
        #expect(Check.batch([], after: 17, size: 25).isEmpty)
        #expect(Check.cursor(batch: [], checked: 0, size: 25) == 0)
    }

    /// A whole batch answering not found is checked against the account before any worklog
    /// is deleted; one entry gone, or some among entries found, is taken as deleted.
    @Test(arguments: [(0, 0, false), (1, 1, false), (1, 5, false), (4, 5, false), (2, 2, true), (25, 25, true)])
    func aWholeBatchGoneIsCheckedAgainstTheAccount(_ gone: Int, _ checked: Int, _ check: Bool) {
        #expect(FreshBooksJiraDeletedEntriesJob.needsAccountCheck(gone: gone, checked: checked) == check)
    }
}
