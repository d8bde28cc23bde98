import Foundation

extension WireTime {
    /// True when `text` could be a date: printable ASCII, at most 64 bytes. Foundation's date
    /// formatters trap on some non-ASCII input (a `CFRange` fatal error that `mlc-bench fuzz`
    /// found), and a sandbox reads dates from whoever calls it: the same guard as ConnectorKit's
    /// `vendorDate(from:)`, which the sandbox, written apart from the client, does not import.
    static func isReadable(_ text: String) -> Bool {
        text.utf8.count <= 64 && text.utf8.allSatisfy { (0x20..<0x7F).contains($0) }
    }

    /// `text` read as `pattern` in `timeZone`; nil when it is not such a time or could not be one.
    static func date(_ text: String, _ pattern: String, timeZone: String) -> Date? {
        formatter(pattern, timeZone: timeZone).wireDate(from: text)
    }
}

extension DateFormatter {
    /// `date(from:)` that answers nil, instead of trapping, for text no date can be
    /// (`WireTime.isReadable`).
    func wireDate(from text: String) -> Date? {
        WireTime.isReadable(text) ? date(from: text) : nil
    }
}
