import Foundation

/// Everything the Asana sandbox knows: one organization workspace with a team and three
/// people, its projects, tasks, custom fields, webhooks and event streams.
struct AsanaWorld: Sendable {
    struct Webhook: Sendable {
        var gid: String
        var resource: String
        var target: String
        var filters: [JSONValue]
        var secret: String
        var active: Bool
        var createdAt: Date
        var lastSuccessAt: Date?
        var lastFailureAt: Date?
        var failingSince: Date?
    }

    struct Event: Sendable {
        var sequence: Int
        var streams: [String]
        var body: JSONValue
    }

    var configuration: AsanaSandbox.Configuration
    let workspaceGID = "1200000000000001"
    let teamGID = "1200000000000002"
    var users: [String: JSONValue] = [:]
    var meGID = "1200000000000010"
    /// The team's members by gid (the token's owner, at first).
    var teamMembers: Set<String> = ["1200000000000010"]
    var projects: [String: JSONValue] = [:]
    var projectFieldSettings: [String: [String]] = [:]
    var sections: [String: [JSONValue]] = [:]
    var tasks: [String: JSONValue] = [:]
    var taskOrder: [String] = []
    var taskValues: [String: [String: JSONValue]] = [:]
    /// Custom field values set on projects themselves (`PUT /projects/{gid}` with `custom_fields`).
    var projectValues: [String: [String: JSONValue]] = [:]
    var stories: [String: [JSONValue]] = [:]
    var customFields: [String: JSONValue] = [:]
    var webhooks: [String: Webhook] = [:]
    var events: [Event] = []
    var eventSequence = 0
    var syncTokens: [String: (stream: String, position: Int)] = [:]

    /// The demo user's personal access token (the token store accepts it).
    let personalAccessToken: String
    private var nextGID = 1200000000001000

    init(configuration: AsanaSandbox.Configuration) {
        self.configuration = configuration
        personalAccessToken = "2/1200000000000010/" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        for (index, person) in [("Avery Owner", "avery@sandbox-agency.test"), ("Blake Designer", "blake@sandbox-agency.test"), ("Casey Developer", "casey@sandbox-agency.test")].enumerated() {
            let gid = "12000000000000\(10 + index)"
            users[gid] = .object(["gid": .string(gid), "resource_type": .string("user"), "name": .string(person.0), "email": .string(person.1),
                                  "photo": .null, "workspaces": .array([.object(["gid": .string(workspaceGID), "resource_type": .string("workspace"), "name": .string("Sandbox Agency")])])])
        }
    }

    /// A new gid (a decimal string, as Asana's are).
    mutating func newGID() -> String {
        nextGID += 1
        return String(nextGID)
    }

    var workspace: JSONValue {
        .object(["gid": .string(workspaceGID), "resource_type": .string("workspace"), "name": .string("Sandbox Agency"), "is_organization": .bool(true), "email_domains": .array([.string("sandbox-agency.test")])])
    }

    var team: JSONValue {
        .object(["gid": .string(teamGID), "resource_type": .string("team"), "name": .string("Delivery"), "organization": .object(["gid": .string(workspaceGID), "resource_type": .string("workspace"), "name": .string("Sandbox Agency")])])
    }

    /// How many subtasks each task has, by the parent's gid.
    func subtaskCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for task in tasks.values {
            if let parent = task["parent"]?["gid"]?.text { counts[parent, default: 0] += 1 }
        }
        return counts
    }

    /// A user by gid, email or `me`.
    func user(_ reference: String) -> JSONValue? {
        if reference == "me" { return users[meGID] }
        if let user = users[reference] { return user }
        return users.values.first { $0["email"]?.text?.lowercased() == reference.lowercased() }
    }

    /// The compact form of a record.
    static func compact(_ record: JSONValue) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        for key in ["gid", "resource_type", "name", "resource_subtype"] { if let value = record[key] { fields[key] = value } }
        return .object(fields)
    }

    /// `2026-11-21T06:00:00.000Z`.
    static func timestamp(_ date: Date) -> String {
        WireTime.format(date, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", timeZone: "UTC")
    }

    /// Records an event on the streams of `resource` and its parents, for the events API and webhooks.
    mutating func record(action: String, resource: JSONValue, parent: JSONValue? = nil, change: JSONValue? = nil, streams: [String]) -> JSONValue {
        eventSequence += 1
        var body: [String: JSONValue] = [
            "user": .object(["gid": .string(meGID), "resource_type": .string("user")]), "created_at": .string(Self.timestamp(Date())),
            "action": .string(action), "resource": resource, "parent": parent ?? .null,
        ]
        if let change { body["change"] = change }
        let event = Event(sequence: eventSequence, streams: streams, body: .object(body))
        events.append(event)
        if events.count > 10_000 { events.removeFirst(events.count - 10_000) }
        return event.body
    }
}
