import Foundation

extension DateFormatter {
    /// `date(from:)` that answers nil, instead of trapping, for text no date can be: Foundation's
    /// formatters trap on some non-ASCII input (a `CFRange` fatal error), and a sandbox reads dates
    /// from whatever a client sends. The sandboxes' twin of ConnectorKit's `vendorDate(from:)`.
    func wireDate(from text: String) -> Date? {
        text.utf8.count <= 64 && text.utf8.allSatisfy { (0x20..<0x7F).contains($0) } ? date(from: text) : nil
    }
}
