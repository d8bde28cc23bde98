import Foundation

/// Everything the FreshBooks sandbox knows: one demo user with two businesses, the records of
/// the first, and its webhook callbacks (tokens, faults and counters live in Common).
struct FreshBooksWorld: Sendable {
    struct Business: Sendable {
        var id: Int
        var uuid: String
        var accountID: String
        var name: String
        var role: String
    }

    struct Callback: Sendable {
        var id: Int
        var event: String
        var uri: String
        var verified: Bool
        var verifier: String
        var updatedAt: Date
    }

    var configuration: FreshBooksSandbox.Configuration
    let identityID = 12345
    var businesses: [Business]

    var clients: [Int: JSONValue] = [:]
    var invoices: [Int: JSONValue] = [:]
    var expenses: [Int: JSONValue] = [:]
    var payments: [Int: JSONValue] = [:]
    var projects: [Int: JSONValue] = [:]
    var timeEntries: [Int: JSONValue] = [:]
    var bills: [Int: JSONValue] = [:]
    var billVendors: [Int: JSONValue] = [:]
    var teamMembers: [JSONValue] = []
    /// The legacy accounting staff list (`users/staffs`), by staff id; expenses name it by `staffid`.
    var staff: [Int: JSONValue] = [:]
    var categories: [JSONValue] = []
    var callbacks: [Int: Callback] = [:]
    private var nextID = 100_000

    init(configuration: FreshBooksSandbox.Configuration) {
        self.configuration = configuration
        businesses = [
            Business(id: configuration.business.id, uuid: "9c7b1e4e-5a40-4b3a-9d9e-sandbox00001", accountID: configuration.business.accountID, name: configuration.business.name, role: "owner"),
            Business(id: 439001, uuid: "9c7b1e4e-5a40-4b3a-9d9e-sandbox00002", accountID: "OTH456", name: "Other Studio", role: "business_employee"),
        ]
        categories = [
            .object(["categoryid": .int(1), "id": .int(1), "category": .string("Travel"), "is_cogs": .bool(false), "vis_state": .int(0)]),
            .object(["categoryid": .int(2), "id": .int(2), "category": .string("Software"), "is_cogs": .bool(false), "vis_state": .int(0)]),
        ]
        teamMembers = [
            Self.teamMember(id: 1, first: "Avery", last: "Owner", email: "avery@sandbox-agency.test", role: "owner", businessID: configuration.business.id),
            Self.teamMember(id: 2, first: "Blake", last: "Designer", email: "blake@sandbox-agency.test", role: "employee", businessID: configuration.business.id),
            Self.teamMember(id: 3, first: "Casey", last: "Developer", email: "casey@sandbox-agency.test", role: "employee", businessID: configuration.business.id),
        ]
        // The owner is staff 1 (the id an expense names when none is given); then the employees.
        for (id, first, last, email) in [(1, "Avery", "Owner", "avery@sandbox-agency.test"), (2, "Blake", "Designer", "blake@sandbox-agency.test"),
                                         (3, "Casey", "Developer", "casey@sandbox-agency.test")] {
            staff[id] = Self.staffMember(id: id, first: first, last: last, email: email)
        }
    }

    /// The business whose records this sandbox holds.
    var primary: Business { businesses[0] }

    /// A new record id.
    mutating func newID() -> Int {
        nextID += 1
        return nextID
    }

    /// A legacy staff record: an accounting user, named like a client (`fname`, `lname`, US/Eastern `updated`).
    static func staffMember(id: Int, first: String, last: String, email: String) -> JSONValue {
        .object([
            "id": .int(id), "staffid": .int(id), "userid": .int(id), "fname": .string(first), "lname": .string(last), "email": .string(email),
            "organization": .string(""), "vis_state": .int(0), "updated": .string(easternTimestamp(Date(timeIntervalSince1970: 1_600_000_000))),
        ])
    }

    static func teamMember(id: Int, first: String, last: String, email: String, role: String, businessID: Int) -> JSONValue {
        .object([
            "uuid": .string("team-\(id)"), "identity_id": .int(20000 + id), "first_name": .string(first), "last_name": .string(last),
            "email": .string(email), "business_id": .int(businessID), "business_role_name": .string(role), "active": .bool(true),
            "created_at": .number("1600000000"), "updated_at": .number("1600000000"),
        ])
    }

    /// `yyyy-MM-dd HH:mm:ss` in US/Eastern, as the accounting API writes `updated`.
    static func easternTimestamp(_ date: Date) -> String {
        WireTime.format(date, "yyyy-MM-dd HH:mm:ss", timeZone: "America/New_York")
    }

    /// The US/Eastern calendar date of an instant.
    static func easternDate(_ date: Date) -> String {
        String(easternTimestamp(date).prefix(10))
    }

    /// ISO 8601 UTC without fraction, as the project-like APIs write times (no `Z` on some).
    static func utcTimestamp(_ date: Date, zulu: Bool = true) -> String {
        WireTime.format(date, zulu ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss", timeZone: "UTC")
    }

    /// Today's date in UTC, `yyyy-MM-dd`.
    static func today(_ date: Date) -> String { String(utcTimestamp(date).prefix(10)) }
}
