import Foundation

/// Atlassian Document Format as v3 takes it for descriptions, comments, worklog comments and
/// textarea custom fields (digest 3.3), and the plain text v2 takes instead.
enum JiraDocument {
    /// Checks a rich-text value: v3 wants an ADF `doc` (version 1, with content); v2 a string,
    /// which is kept as a one-paragraph document. Nil with the reason when refused.
    static func accept(_ value: JSONValue, version: Int) -> (document: JSONValue?, problem: String?) {
        if case .null = value { return (nil, nil) }
        if version == 2 {
            guard let text = value.text else { return (nil, "Operation value must be a string") }
            return (paragraph(text), nil)
        }
        guard value["type"]?.text == "doc", value["version"]?.int == 1, let content = value["content"]?.array else {
            return (nil, "Operation value must be an Atlassian Document (see the Atlassian Document Format)")
        }
        guard content.allSatisfy({ $0["type"]?.text != nil }) else { return (nil, "Operation value must be an Atlassian Document (every node needs a type)") }
        return (value, nil)
    }

    /// A document of one paragraph.
    static func paragraph(_ text: String) -> JSONValue {
        .object(["type": .string("doc"), "version": .int(1), "content": .array([.object(["type": .string("paragraph"), "content": .array([.object(["type": .string("text"), "text": .string(text)])])])])])
    }

    /// The document as v3 shows it, or its text for v2.
    static func present(_ document: JSONValue?, version: Int) -> JSONValue {
        guard let document else { return .null }
        return version == 2 ? .string(text(of: document)) : document
    }

    /// The text nodes of a document, paragraphs on their own lines.
    static func text(of node: JSONValue) -> String {
        if let text = node["text"]?.text { return text }
        let parts = (node["content"]?.array ?? []).map(text(of:))
        return parts.joined(separator: node["type"]?.text == "doc" ? "\n" : "")
    }
}
