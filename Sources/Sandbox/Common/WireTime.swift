import Foundation

/// Times as vendors write them: a fixed pattern in a named time zone, in the POSIX locale, so
/// the text never depends on the machine the sandbox runs on.
enum WireTime {
    /// A formatter for `pattern` in `timeZone` (an IANA name such as `America/New_York`).
    static func formatter(_ pattern: String, timeZone: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: timeZone)
        formatter.dateFormat = pattern
        return formatter
    }

    /// `date` written as `pattern` in `timeZone`, with a formatter kept per pattern and zone:
    /// making one costs far more than using it, and every listed record writes its times.
    static func format(_ date: Date, _ pattern: String, timeZone: String) -> String {
        withKept(pattern, timeZone: timeZone) { $0.string(from: date) }
    }

    /// `text` read as `pattern` in `timeZone`, with the same kept formatters as `format`; nil
    /// when it does not match.
    static func parse(_ text: String, _ pattern: String, timeZone: String) -> Date? {
        withKept(pattern, timeZone: timeZone) { $0.date(from: text) }
    }

    private static func withKept<Value>(_ pattern: String, timeZone: String, _ body: (DateFormatter) -> Value) -> Value {
        lock.withLock {
            let key = pattern + "|" + timeZone
            let kept = formatters[key] ?? formatter(pattern, timeZone: timeZone)
            formatters[key] = kept
            return body(kept)
        }
    }

    /// Guards `formatters`: a formatter is not safe to use from two threads at once, and each
    /// is touched only while this is held, which makes `nonisolated(unsafe)` sound.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var formatters: [String: DateFormatter] = [:]
}
