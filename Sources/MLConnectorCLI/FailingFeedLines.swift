import Store

/// How `connection show` and `integration show` name the recurring jobs that are failing.
enum FailingFeedLines {
    /// `failing feeds: none`, or one line per feed with its first failure and latest error.
    static func render(_ feeds: [FailingSchedule]) -> String {
        guard !feeds.isEmpty else { return "failing feeds: none" }
        return "failing feeds:\n" + feeds.map { feed in
            "  \(feed.coalesceKey) (\(feed.kind)): failing since \(Output.time(feed.failingSince)), \(feed.failures) failed run(s); last error: \(String((feed.lastError ?? "-").prefix(100)))"
        }.joined(separator: "\n")
    }
}
