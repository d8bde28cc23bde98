import Foundation

/// The threads SQLite's work runs on, apart from Swift's shared pool.
///
/// A statement can wait on the disk or on another process's lock; on the shared pool (as many
/// threads as cores) that wait would stall every other task in the process. The backend runs
/// each statement, and each whole transaction with the code between its statements, here
/// (`withTaskExecutorPreference`): one hop in and one out per call, not one per statement.
final class SQLiteThreads: TaskExecutor, @unchecked Sendable {
    /// The process's threads for SQLite: two, so one database's long statement does not hold
    /// back another's (tests open many), while one database's work is serialised by its lock.
    static let shared = SQLiteThreads(count: 2)

    private let condition = NSCondition()
    /// Jobs waiting to run, first in first out from `head`; guarded by `condition`.
    private var queue: [UnownedJob] = []
    private var head = 0

    private init(count: Int) {
        for index in 0..<count {
            let thread = Thread { [self] in runJobs() }
            thread.name = "mlc-sqlite-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
