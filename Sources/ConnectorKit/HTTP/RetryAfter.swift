import Foundation

/// Reads the `Retry-After` header in both of its forms (RFC 9110 §10.2.3): delta-seconds
/// (`120`) or an HTTP-date (`Fri, 31 Dec 1999 23:59:59 GMT`, and the two obsolete date forms).
///
/// The value comes from a vendor and is not trusted: every number is checked in floating point
/// before it becomes a `Duration`, so `1e20`, `-1e20` or twenty digits cannot trap, and the
/// wait is clamped to a cap.
public enum RetryAfter {
    /// A header value read and bounded.
    public struct Reading: Sendable, Equatable {
        /// The wait to honour: what the vendor asked, within `0...cap`.
        public var wait: Duration
        /// True when the vendor asked for more than the cap.
        public var clamped: Bool
    }

    /// How long to wait, measured from `now` and at most `cap`; nil when the header is absent or
    /// unreadable. A date in the past or a negative number means no wait.
    public static func parse(_ value: String?, now: Date = Date(), cap: Duration = VendorLimits.defaultRetryAfterCap) -> Duration? {
        read(value, now: now, cap: cap)?.wait
    }

    /// Like `parse`, and says whether the vendor's value was clamped (so the caller can log it).
    public static func read(_ value: String?, now: Date = Date(), cap: Duration = VendorLimits.defaultRetryAfterCap) -> Reading? {
        guard let seconds = seconds(value, now: now) else { return nil }
        let capSeconds = cap.timeInterval
        // At or past the cap the cap itself is the wait: a cap near `Int64.max` milliseconds
        // would trap on the way back from floating point.
        guard seconds < capSeconds else { return Reading(wait: cap, clamped: seconds > capSeconds) }
        return Reading(wait: .milliseconds(Int64((max(0, seconds) * 1000).rounded(.up))), clamped: false)
    }

    /// The vendor's wait in seconds, unbounded but finite; nil when unreadable.
    static func seconds(_ value: String?, now: Date) -> Double? {
        // A header longer than any date form is not one; do not hand megabytes to the parsers.
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value.utf8.count <= 64 else { return nil }
        if value.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let seconds = Double(value), seconds.isFinite else { return nil }
            return seconds
        }
        for format in httpDateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.vendorDate(from: value) {
                let seconds = date.timeIntervalSince(now)
                return seconds.isFinite ? seconds : nil
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
