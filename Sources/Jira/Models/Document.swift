import ConnectorKit
import Foundation

/// Rich text as v3 takes it: an Atlassian Document Format `doc` (digest 3.3), for descriptions,
/// comments, worklog comments and textarea custom fields.
public struct JiraDocument: Codable, Sendable, Equatable {
    /// The document as JSON.
    public var tree: JSONTree

    /// Wraps a document as received.
    public init(tree: JSONTree) {
        self.tree = tree
    }

    /// A document of one paragraph per line of `text`.
    public init(text: String) {
        let paragraphs = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> JSONTree in
            line.isEmpty ? .object(["type": .string("paragraph")])
                : .object(["type": .string("paragraph"), "content": .array([.object(["type": .string("text"), "text": .string(String(line))])])])
        }
        tree = .object(["type": .string("doc"), "version": .number("1"), "content": .array(paragraphs)])
    }

    /// Its text, one line per paragraph.
    public var plainText: String { Self.text(of: tree) }

    private static func text(of node: JSONTree) -> String {
        if let text = node["text"]?.scalarText { return text }
        let parts = (node["content"]?.array ?? []).map(text(of:))
        return parts.joined(separator: node["type"]?.scalarText == "doc" ? "\n" : "")
    }

    public init(from decoder: any Decoder) throws {
        tree = try JSONTree(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try tree.encode(to: encoder)
    }
}

/// Jira's times: `2021-01-17T12:34:00.000+0000`, an offset without a colon and milliseconds,
/// both read and written exactly (digest 3.6, gotcha 5).
public enum JiraTime {
    /// Reads a Jira timestamp exactly; nil for any other shape.
    public static func parse(_ text: String) -> Date? {
        guard text.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{4}/#) != nil else { return nil }
        return formatter(format: "yyyy-MM-dd'T'HH:mm:ss.SSSZ", timeZone: utc).vendorDate(from: text)
    }

    /// Writes an instant as Jira wants `started`: UTC, `+0000`.
    public static func format(_ date: Date) -> String {
        formatter(format: "yyyy-MM-dd'T'HH:mm:ss.SSSZ", timeZone: utc).string(from: date)
    }

    /// A JQL date-time, `yyyy-MM-dd HH:mm`, in the user's time zone (JQL is minute-precise, digest 3.4).
    public static func jql(_ date: Date, timeZone: TimeZone) -> String {
        formatter(format: "yyyy-MM-dd HH:mm", timeZone: timeZone).string(from: date)
    }

    static let utc = TimeZone(identifier: "UTC")!

    static func formatter(format: String, timeZone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        return formatter
    }
}

extension JiraDocument {
    /// A document of a two-column table (label, value per row) followed by a paragraph whose
    /// text links to `link` (ADF `table`/`tableRow`/`tableHeader`/`tableCell` and a `link` mark).
    public static func table(_ rows: [(String, String)], linkText: String, link: String) -> JiraDocument {
        func cell(_ type: String, _ text: String) -> JSONTree {
            let paragraph: JSONTree = text.isEmpty ? .object(["type": .string("paragraph")])
                : .object(["type": .string("paragraph"), "content": .array([.object(["type": .string("text"), "text": .string(text)])])])
            return .object(["type": .string(type), "content": .array([paragraph])])
        }
        let tableRows = rows.map { row -> JSONTree in .object(["type": .string("tableRow"), "content": .array([cell("tableHeader", row.0), cell("tableCell", row.1)])]) }
        let linked: JSONTree = .object(["type": .string("paragraph"), "content": .array([.object([
            "type": .string("text"), "text": .string(linkText),
            "marks": .array([.object(["type": .string("link"), "attrs": .object(["href": .string(link)])])]),
        ])])])
        return JiraDocument(tree: .object(["type": .string("doc"), "version": .number("1"), "content": .array([.object(["type": .string("table"), "content": .array(tableRows)]), linked])]))
    }
}
