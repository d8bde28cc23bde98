import ConnectorKit
import Foundation

/// Filters of project lists (plain query parameters, digest A5).
public struct ProjectSearch: Sendable, Equatable {
    public var clientID: Int?
    public var complete: Bool?
    /// `updated_since`, an ISO date-time.
    public var updatedSince: Date?

    /// Creates a filter.
    public init(clientID: Int? = nil, complete: Bool? = nil, updatedSince: Date? = nil) {
        self.clientID = clientID
        self.complete = complete
        self.updatedSince = updatedSince
    }

    var query: [(String, String)] {
        var items: [(String, String)] = []
        if let clientID { items.append(("client_id", "\(clientID)")) }
        if let complete { items.append(("complete", complete ? "true" : "false")) }
        if let updatedSince { items.append(("updated_since", Self.iso(updatedSince))) }
        return items
    }

    static func iso(_ date: Date) -> String {
        isoFormatter.string(from: date)
    }

    private static let isoFormatter = SharedDateFormatter(format: "yyyy-MM-dd'T'HH:mm:ss", timeZone: TimeZone(identifier: "UTC")!)
}

extension FreshBooksClient {
    /// Projects, every page (`/projects` plural for the list).
    public func projects(_ search: ProjectSearch = ProjectSearch()) throws -> Paged<Project> {
        metaPages("/projects/business/\(try businessID())/projects", query: search.query)
    }

    /// One project (`/project` singular).
    public func project(id: Int) async throws -> Project {
        try await send(.GET, "/projects/business/\(try businessID())/project/\(id)", as: ProjectEnvelope.self).project
    }

    /// Creates a project.
    public func createProject(_ draft: ProjectDraft) async throws -> Project {
        try await send(.POST, "/projects/business/\(try businessID())/project", body: ["project": draft], as: ProjectEnvelope.self).project
    }

    /// Updates a project's given fields.
    public func updateProject(id: Int, _ draft: ProjectDraft) async throws -> Project {
        try await send(.PUT, "/projects/business/\(try businessID())/project/\(id)", body: ["project": draft], as: ProjectEnvelope.self).project
    }

    /// Time entries, every page.
    public func timeEntries(projectID: Int? = nil, updatedSince: Date? = nil) throws -> Paged<TimeEntry> {
        let path = "/timetracking/business/\(try businessID())/time_entries"
        var query: [(String, String)] = []
        if let projectID { query.append(("project_id", "\(projectID)")) }
        if let updatedSince { query.append(("updated_since", ProjectSearch.iso(updatedSince))) }
        return metaPages(path, query: query)
    }

    /// One time entry.
    public func timeEntry(id: Int) async throws -> TimeEntry {
        try await send(.GET, "/timetracking/business/\(try businessID())/time_entries/\(id)", as: TimeEntryEnvelope.self).time_entry
    }

    /// The business's team members (`/auth/api/v1/businesses/<id>/team_members`).
    public func teamMembers() async throws -> [TeamMember] {
        try await send(.GET, "/auth/api/v1/businesses/\(try businessID())/team_members", query: [("per_page", "100")], as: TeamMembersEnvelope.self).response
    }
}

struct ProjectEnvelope: Decodable { var project: Project }
struct TimeEntryEnvelope: Decodable { var time_entry: TimeEntry }
struct TeamMembersEnvelope: Decodable { var response: [TeamMember] }
