import ConnectorKit
import Foundation

/// A worklog (digest 3.6): `started` parsed exactly, time in seconds, an ADF comment.
public struct JiraWorklog: Codable, Sendable, Equatable {
    public var id: String
    public var issueId: String
    public var author: JiraUser?
    public var started: Date
    public var timeSpentSeconds: Int
    public var comment: JiraDocument?
    public var updated: Date?

    enum CodingKeys: String, CodingKey { case id, issueId, author, started, timeSpentSeconds, comment, updated }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        issueId = try container.decode(String.self, forKey: .issueId)
        author = try container.decodeIfPresent(JiraUser.self, forKey: .author)
        timeSpentSeconds = try container.decode(Int.self, forKey: .timeSpentSeconds)
        comment = try container.decodeIfPresent(JiraDocument.self, forKey: .comment)
        let started = try container.decode(String.self, forKey: .started)
        guard let date = JiraTime.parse(started) else {
            throw DecodingError.dataCorruptedError(forKey: .started, in: container, debugDescription: "not yyyy-MM-dd'T'HH:mm:ss.SSSZ")
        }
        self.started = date
        updated = try container.decodeIfPresent(String.self, forKey: .updated).flatMap(JiraTime.parse)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(issueId, forKey: .issueId)
        try container.encodeIfPresent(author, forKey: .author)
        try container.encode(JiraTime.format(started), forKey: .started)
        try container.encode(timeSpentSeconds, forKey: .timeSpentSeconds)
        try container.encodeIfPresent(comment, forKey: .comment)
        try container.encodeIfPresent(updated.map(JiraTime.format), forKey: .updated)
    }
}

/// A field definition (`FieldDetails`): custom ones are `customfield_NNNNN`, different per site.
public struct JiraField: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var custom: Bool
    public var schema: Schema?

    /// The value type (`number`, `string`…) and, for custom fields, the plugin type key.
    public struct Schema: Codable, Sendable, Equatable {
        public var type: String?
        public var custom: String?
    }

    /// True for a multi-line text field, which takes ADF rather than a string (digest 3.3).
    public var takesDocument: Bool { id == "description" || id == "environment" || schema?.custom?.hasSuffix(":textarea") == true }
}

/// An issue type (`IssueTypeDetails`).
public struct JiraIssueType: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var hierarchyLevel: Int?
}

/// A project.
public struct JiraProject: Decodable, Sendable, Equatable {
    public var id: String
    public var key: String
    public var name: String
}

/// A transition an issue may take.
public struct JiraTransition: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var to: JiraNamed?
}

/// `serverInfo`.
public struct JiraServerInfo: Decodable, Sendable, Equatable {
    public var baseUrl: String
    public var deploymentType: String?
    public var serverTitle: String?
}

/// A site an OAuth token reaches (`accessible-resources`): its `id` is the cloud id.
public struct JiraSite: Codable, Sendable, Equatable {
    public var id: String
    public var url: String
    public var name: String
    public var scopes: [String]?
}

/// A dynamic webhook as listed (digest 3.7): `expirationDate` is epoch ms in the schema but an
/// ISO string in the spec's example, so both are read.
public struct JiraWebhook: Decodable, Sendable, Equatable {
    public var id: Int
    public var url: String?
    public var jqlFilter: String
    public var events: [String]
    public var expirationDate: Date?

    enum CodingKeys: String, CodingKey { case id, url, jqlFilter, events, expirationDate }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        jqlFilter = try container.decode(String.self, forKey: .jqlFilter)
        events = try container.decode([String].self, forKey: .events)
        expirationDate = try JiraWebhook.expiry(container, .expirationDate)
    }

    static func expiry<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Date? {
        if let millis = try? container.decodeIfPresent(Int64.self, forKey: key) { return Date(timeIntervalSince1970: Double(millis) / 1000) }
        guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = JiraTime.parse(text) ?? iso.vendorDate(from: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "expirationDate is neither epoch ms nor a timestamp")
        }
        return date
    }
}
