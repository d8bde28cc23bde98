import ConnectorKit
import Foundation

/// A user as Jira shows one (`User`): identified by `accountId` only (digest 3.3).
public struct JiraUser: Codable, Sendable, Equatable {
    public var accountId: String
    public var displayName: String?
    public var emailAddress: String?
    public var active: Bool?
    public var timeZone: String?
}

/// A named reference (`issuetype`, `project`, `status`).
public struct JiraNamed: Codable, Sendable, Equatable {
    public var id: String?
    public var key: String?
    public var name: String?
    public var statusCategory: StatusCategory?

    /// A status's category (`new`, `indeterminate`, `done`).
    public struct StatusCategory: Codable, Sendable, Equatable {
        public var key: String?
    }
}

/// A custom field's value as read back: a number (as `Decimal`, never a `Double`), text, a
/// document, or anything else as JSON.
public enum JiraFieldValue: Encodable, Sendable, Equatable {
    case number(Decimal)
    case text(String)
    case document(JiraDocument)
    case other(JSONTree)

    init(_ tree: JSONTree) {
        switch tree {
        case .number(let text): self = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")).map(JiraFieldValue.number) ?? .other(tree)
        case .string(let text): self = .text(text)
        case .object where tree["type"]?.scalarText == "doc": self = .document(JiraDocument(tree: tree))
        default: self = .other(tree)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .text(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .document(let value): try value.encode(to: encoder)
        case .other(let value): try value.encode(to: encoder)
        }
    }
}

/// An issue as `IssueBean` (digest 3.3), with the fields the client asked for.
public struct JiraIssue: Codable, Sendable, Equatable {
    public var id: String
    public var key: String
    public var fields: Fields?

    /// The fields read; absent ones were not asked for or are empty.
    public struct Fields: Codable, Sendable, Equatable {
        public var summary: String?
        public var description: JiraDocument?
        public var labels: [String]?
        public var issuetype: JiraNamed?
        public var project: JiraNamed?
        public var status: JiraNamed?
        public var assignee: JiraUser?
        public var reporter: JiraUser?
        public var parent: JiraNamed?
        public var duedate: String?
        /// `created` and `updated`, parsed exactly (stored UTC).
        public var created: Date?
        public var updated: Date?
        /// `customfield_NNNNN` values by field id.
        public var custom: [String: JiraFieldValue]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            func value<T: Decodable>(_ key: String, _ type: T.Type) throws -> T? {
                try container.decodeIfPresent(type, forKey: AnyKey(key))
            }
            summary = try value("summary", String.self)
            description = try value("description", JiraDocument.self)
            labels = try value("labels", [String].self)
            issuetype = try value("issuetype", JiraNamed.self)
            project = try value("project", JiraNamed.self)
            status = try value("status", JiraNamed.self)
            assignee = try value("assignee", JiraUser.self)
            reporter = try value("reporter", JiraUser.self)
            parent = try value("parent", JiraNamed.self)
            duedate = try value("duedate", String.self)
            func time(_ key: String) throws -> Date? {
                guard let text = try value(key, String.self) else { return nil }
                guard let date = JiraTime.parse(text) else {
                    throw DecodingError.dataCorruptedError(forKey: AnyKey(key), in: container, debugDescription: "not yyyy-MM-dd'T'HH:mm:ss.SSSZ")
                }
                return date
            }
            created = try time("created")
            updated = try time("updated")
            var custom: [String: JiraFieldValue] = [:]
            for key in container.allKeys where key.stringValue.hasPrefix("customfield_") {
                let tree = try container.decode(JSONTree.self, forKey: key)
                if tree != .null { custom[key.stringValue] = JiraFieldValue(tree) }
            }
            self.custom = custom
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            func put(_ key: String, _ value: (some Encodable)?) throws {
                if let value { try container.encode(value, forKey: AnyKey(key)) }
            }
            try put("summary", summary)
            try put("description", description)
            try put("labels", labels)
            try put("issuetype", issuetype)
            try put("project", project)
            try put("status", status)
            try put("assignee", assignee)
            try put("reporter", reporter)
            try put("parent", parent)
            try put("duedate", duedate)
            try put("created", created.map(JiraTime.format))
            try put("updated", updated.map(JiraTime.format))
            for (key, value) in custom.sorted(by: { $0.key < $1.key }) { try container.encode(value, forKey: AnyKey(key)) }
        }
    }

    /// Whether the issue carries `label`.
    public func hasLabel(_ label: String) -> Bool { fields?.labels?.contains(label) == true }
}

/// What `POST /issue` answers (`CreatedIssue`).
public struct CreatedIssue: Decodable, Sendable, Equatable {
    public var id: String
    public var key: String
}
