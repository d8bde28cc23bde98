import ConnectorKit
import Foundation

/// A compact reference to any Asana record: gids are strings, never numbers (digest B9.2).
public struct AsanaRef: Codable, Sendable, Equatable, Hashable {
    public var gid: String
    public var name: String?
    public var resource_type: String?
    /// A user's email, when asked for (`assignee.email`).
    public var email: String?
    /// A project's own custom field values, when asked for (`projects.custom_fields.text_value`).
    public var custom_fields: [CustomFieldValue]?

    /// Creates a reference.
    public init(gid: String, name: String? = nil, resource_type: String? = nil, email: String? = nil, customFields: [CustomFieldValue]? = nil) {
        self.gid = gid
        self.name = name
        self.resource_type = resource_type
        self.email = email
        custom_fields = customFields
    }

    /// The value of custom field `gid` on this project, if it carries one.
    public func value(of gid: String) -> CustomFieldValue? {
        custom_fields?.first { $0.gid == gid }
    }
}

/// An Asana user.
public struct User: Codable, Sendable, Equatable {
    public var gid: String
    public var name: String?
    public var email: String?
    public var workspaces: [AsanaRef]?

    /// The fields the client reads.
    public static let fields = ["name", "email", "workspaces.name"]
}

/// A project.
public struct Project: Codable, Sendable, Equatable {
    public var gid: String
    public var name: String
    public var notes: String?
    public var archived: Bool?
    public var completed: Bool?
    public var due_on: String?
    public var team: AsanaRef?
    public var modified_at: String?
    /// The project's own custom field values (not its tasks').
    public var custom_fields: [CustomFieldValue]?

    /// The value of custom field `gid` on the project, if it carries one.
    public func value(of gid: String) -> CustomFieldValue? {
        custom_fields?.first { $0.gid == gid }
    }

    /// The fields the client reads.
    public static let fields = ["name", "notes", "archived", "completed", "due_on", "team.name", "modified_at",
                                "custom_fields.name", "custom_fields.resource_subtype", "custom_fields.display_value", "custom_fields.text_value", "custom_fields.enum_value"]
}

/// A custom field definition.
public struct CustomField: Codable, Sendable, Equatable {
    public var gid: String
    public var name: String
    /// `text`, `number`, `enum`, `multi_enum`, `date`, `people`.
    public var resource_subtype: String
    public var precision: Int?
    public var enum_options: [EnumOption]?

    /// The fields the client reads.
    public static let fields = ["name", "resource_subtype", "precision", "enum_options.name", "enum_options.enabled"]
}

/// An option of an enum custom field.
public struct EnumOption: Codable, Sendable, Hashable {
    public var gid: String
    public var name: String
    public var enabled: Bool?
}

/// A custom field attached to a project.
public struct CustomFieldSetting: Codable, Sendable, Equatable {
    public var gid: String
    public var custom_field: CustomField
}

/// A custom field value as a task reads it back (digest B5: an array of typed values).
public struct CustomFieldValue: Codable, Sendable, Hashable {
    public var gid: String
    public var name: String?
    public var resource_subtype: String?
    public var display_value: String?
    public var text_value: String?
    public var number_value: Decimal?
    public var enum_value: EnumOption?
    public var date_value: DateValue?

    /// `{"date": "…", "date_time": …}`.
    public struct DateValue: Codable, Sendable, Hashable {
        public var date: String?
    }
}

/// A task.
public struct AsanaTask: Codable, Sendable, Equatable {
    public var gid: String
    public var name: String
    public var notes: String?
    public var completed: Bool
    public var completed_at: String?
    public var due_on: String?
    public var assignee: AsanaRef?
    public var projects: [AsanaRef]?
    public var custom_fields: [CustomFieldValue]?
    public var modified_at: String?
    public var external: External?

    /// Our key on a task, readable and writable by OAuth apps only.
    public struct External: Codable, Sendable, Equatable {
        public var gid: String?
        public var data: String?

        /// Creates external data.
        public init(gid: String?, data: String?) {
            self.gid = gid
            self.data = data
        }
    }

    /// The value of custom field `gid`, if the task carries it.
    public func value(of gid: String) -> CustomFieldValue? {
        custom_fields?.first { $0.gid == gid }
    }

    /// The fields the client reads.
    public static let fields = ["name", "notes", "completed", "completed_at", "due_on", "assignee.email", "assignee.name", "projects.name",
                                "custom_fields.name", "custom_fields.resource_subtype", "custom_fields.display_value", "custom_fields.text_value",
                                "custom_fields.number_value", "custom_fields.enum_value", "custom_fields.date_value", "modified_at",
                                // The projects' own values (a project's class, say), read with the task.
                                "projects.custom_fields.name", "projects.custom_fields.text_value", "projects.custom_fields.enum_value"]
}

/// A story (comment) on a task.
public struct Story: Codable, Sendable, Equatable {
    public var gid: String
    public var text: String?
    public var resource_subtype: String?
}

/// A webhook registration.
public struct Webhook: Codable, Sendable, Equatable {
    public var gid: String
    public var active: Bool?
    public var resource: AsanaRef?
    public var target: String?
    public var last_success_at: String?
    public var last_failure_at: String?
}

/// An event, from a webhook delivery or the events API (digest B7).
public struct Event: Codable, Sendable, Equatable {
    public var action: String
    public var resource: AsanaRef
    public var parent: AsanaRef?
    public var created_at: String?
    public var change: Change?

    /// What changed, when `action` is `changed`.
    public struct Change: Codable, Sendable, Equatable {
        public var field: String?
        public var action: String?
    }
}

/// Asana timestamps: ISO 8601 with milliseconds and `Z` (digest B9.8).
public enum AsanaTime {
    /// Making a formatter costs more than parsing with it (made per event, it was a tenth of
    /// webhook ingest's CPU), so two are kept. A formatter is not safe to use from two threads
    /// at once: both are touched only while `lock` is held, which makes `nonisolated(unsafe)` sound.
    private static let lock = NSLock()
    nonisolated(unsafe) private static let fractional = formatter([.withInternetDateTime, .withFractionalSeconds])
    nonisolated(unsafe) private static let whole = formatter([.withInternetDateTime])

    private static func formatter(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }

    /// Parses `2012-02-22T02:06:58.147Z` (or without fraction).
    public static func parse(_ text: String) -> Date? {
        lock.withLock { fractional.vendorDate(from: text) ?? whole.vendorDate(from: text) }
    }

    /// Formats an instant as Asana writes it.
    public static func format(_ date: Date) -> String {
        lock.withLock { fractional.string(from: date) }
    }
}
