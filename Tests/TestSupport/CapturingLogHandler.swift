import Logging
import NIOConcurrencyHelpers

/// Captures log lines in memory, so a test can read what was logged.
public final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    // Only the locked box is shared between copies; metadata and level are per copy, as
    // LogHandler's value semantics expect.
    private let box = NIOLockedValueBox<[String]>([])
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    /// Creates an empty capture.
    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        box.withLockedValue { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }

    /// Every line logged so far.
    public var lines: [String] { box.withLockedValue { $0 } }
}
