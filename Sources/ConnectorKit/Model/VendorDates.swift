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
