import Foundation

/// How often an integration's backstop polls run (`5m`, `90s`, `1h`), as its YAML says under
/// `schedule:`; shared by every integration's configuration.
public struct PollSchedule: Codable, Sendable, Equatable {
    public var poll: String?

    /// A schedule polling every `poll`.
    public init(poll: String?) {
        self.poll = poll
    }
}

/// An Asana enum field and its option GIDs by what each option means (`post`, `paid`…).
public struct AsanaEnumMapping: Codable, Sendable, Equatable {
    public var field: String
    public var options: [String: String]

    /// Maps an enum field's options.
    public init(field: String, options: [String: String]) {
        self.field = field
        self.options = options
    }
}

/// How people are matched across the systems (`match: email`).
public struct PeopleMatching: Codable, Sendable, Equatable {
    public var match: String?

    /// Matches people by `match`.
    public init(match: String?) {
        self.match = match
    }
}
