import Foundation

/// Foundation's date formatters trap on some non-ASCII input (a `CFRange` fatal error, found by
/// `mlc-bench fuzz`). Dates from vendors and users are short printable ASCII, so anything else
/// is unreadable before it reaches a formatter.
enum VendorDateText {
    /// True when `text` could be a date: printable ASCII, at most 64 bytes.
    static func isReadable(_ text: String) -> Bool {
        text.utf8.count <= 64 && text.utf8.allSatisfy { (0x20..<0x7F).contains($0) }
    }
}

extension DateFormatter {
    /// `date(from:)` that answers nil, instead of trapping, for text no date can be.
    public func vendorDate(from text: String) -> Date? {
        VendorDateText.isReadable(text) ? date(from: text) : nil
    }
}

extension ISO8601DateFormatter {
    /// `date(from:)` that answers nil, instead of trapping, for text no date can be.
    public func vendorDate(from text: String) -> Date? {
        VendorDateText.isReadable(text) ? date(from: text) : nil
    }
}

/// One `DateFormatter` shared by every thread: making a formatter costs far more than using it
/// (ICU opens its calendar and time zone each time; made per record, it was a sixth of a
/// FreshBooks backfill's CPU), and one formatter is not safe to use from two threads at once,
/// so every use holds `lock`.
public final class SharedDateFormatter: @unchecked Sendable {
    private let lock = NSLock()
    private let formatter: DateFormatter

    /// A formatter for `format` in `timeZone` (POSIX locale, so the text never follows the
    /// machine's settings).
    public init(format: String, timeZone: TimeZone) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        self.formatter = formatter
    }

    /// `vendorDate(from:)` under the lock: nil for text that is not a date in the format.
    public func date(from text: String) -> Date? {
        lock.withLock { formatter.vendorDate(from: text) }
    }

    /// The instant written in the format.
    public func string(from date: Date) -> String {
        lock.withLock { formatter.string(from: date) }
    }
}
