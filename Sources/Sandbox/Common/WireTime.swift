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

    /// `date` written as `pattern` in `timeZone`.
    static func format(_ date: Date, _ pattern: String, timeZone: String) -> String {
        formatter(pattern, timeZone: timeZone).string(from: date)
    }
}
