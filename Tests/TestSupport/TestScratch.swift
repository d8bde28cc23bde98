import Foundation

/// Where a test process keeps its files: one directory per process under the system's
/// temporary directory, removed when the process exits. A run that crashed leaves its
/// directory behind; the next test process removes the directories of processes that are gone.
/// (Without this, every store a test opened stayed in /tmp: 15,000 directories, and a full disk.)
enum TestScratch {
    /// What every scratch directory's name starts with; the process id follows.
    static let prefix = "mlc-test-run-"

    /// This process's scratch directory, made (and earlier runs' swept) on first use.
    static let root: String = {
        let temporary = NSTemporaryDirectory()
        sweepDeadRuns(in: temporary)
        let path = (temporary as NSString).appendingPathComponent("\(prefix)\(getpid())")
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestScratch.root) }
        return path
    }()

    /// Removes the scratch directories of test processes that no longer run.
    static func sweepDeadRuns(in temporary: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) == -1, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: (temporary as NSString).appendingPathComponent(name))
            }
        }
    }

    /// True for a test database name (`mlc_test_<pid>_<random>`) whose process no longer runs,
    /// and for names of the older `mlc_test_<random>` form.
    static func belongsToDeadRun(databaseName name: String) -> Bool {
        let parts = name.split(separator: "_")
        guard parts.count >= 3, parts[0] == "mlc", parts[1] == "test" else { return false }
        guard parts.count == 4, let pid = pid_t(parts[2]) else { return parts.count == 3 }
        return pid != getpid() && kill(pid, 0) == -1 && errno == ESRCH
    }
}
