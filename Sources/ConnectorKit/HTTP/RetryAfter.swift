import Foundation

/// Reads the `Retry-After` header in both of its forms (RFC 9110 §10.2.3): delta-seconds
/// (`120`) or an HTTP-date (`Fri, 31 Dec 1999 23:59:59 GMT`, and the two obsolete date forms).
public enum RetryAfter {
    /// How long to wait, measured from `now`; nil when the header is absent or unreadable.
    /// A date in the past means no wait.
    public static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int64(value) {
            return .seconds(max(0, seconds))
        }
        if let seconds = Double(value), seconds.isFinite {
            return .milliseconds(max(0, Int64(seconds * 1000)))
        }
        for format in httpDateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: value) {
                let ms = Int64((date.timeIntervalSince(now) * 1000).rounded(.up))
                return .milliseconds(max(0, ms))
            }
        }
        return nil
    }

    /// IMF-fixdate, RFC 850 and asctime, in that order of likelihood.
    private static let httpDateFormats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",
        "EEEE, dd-MMM-yy HH:mm:ss zzz",
        "EEE MMM d HH:mm:ss yyyy",
    ]
}
