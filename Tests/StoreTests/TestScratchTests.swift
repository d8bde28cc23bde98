import Foundation
import Testing
@testable import TestSupport

/// The test processes' own housekeeping: what a finished run left in /tmp and on the test
/// PostgreSQL server is removed by the next run, and nothing of a running one is.
@Suite struct TestScratchTests {
    /// The pid of a process that has exited (and been reaped).
    private func exitedPid() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func theSweepRemovesTheDirectoriesOfExitedRunsOnly() throws {
        let temporary = try TestDatabase.temporaryDirectory()
        let dead = (temporary as NSString).appendingPathComponent("\(TestScratch.prefix)\(try exitedPid())")
        let alive = (temporary as NSString).appendingPathComponent("\(TestScratch.prefix)\(getppid())")
        let own = (temporary as NSString).appendingPathComponent("\(TestScratch.prefix)\(getpid())")
        let other = (temporary as NSString).appendingPathComponent("not-ours-1")
        for path in [dead, alive, own, other] {
            try FileManager.default.createDirectory(atPath: path + "/store", withIntermediateDirectories: true)
        }
        TestScratch.sweepDeadRuns(in: temporary)
        #expect(!FileManager.default.fileExists(atPath: dead))
        for path in [alive, own, other] { #expect(FileManager.default.fileExists(atPath: path)) }
    }

    @Test func aStoreDirectoryLivesInThisProcesssScratchDirectory() throws {
        let directory = try TestDatabase.temporaryDirectory()
        #expect(directory.hasPrefix(TestScratch.root + "/"))
        #expect(TestScratch.root.hasSuffix("/\(TestScratch.prefix)\(getpid())"))
    }

    @Test func onlyDatabasesOfExitedRunsAndTheOldUnnamedFormAreDropped() throws {
        let dead = try exitedPid()
        #expect(TestScratch.belongsToDeadRun(databaseName: "mlc_test_\(dead)_0123456789ab"))
        #expect(TestScratch.belongsToDeadRun(databaseName: "mlc_test_0123456789abcdef"))
        #expect(!TestScratch.belongsToDeadRun(databaseName: "mlc_test_\(getpid())_0123456789ab"))
        #expect(!TestScratch.belongsToDeadRun(databaseName: "mlc_test_\(getppid())_0123456789ab"))
        #expect(!TestScratch.belongsToDeadRun(databaseName: "mlc_queue_1_2"))
        #expect(!TestScratch.belongsToDeadRun(databaseName: "postgres"))
    }
}
