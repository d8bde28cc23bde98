import Asana
import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Testing

@Suite struct FreshBooksAsanaMappingTests {
    static let fields = FreshBooksAsanaConfig.Fields(billable_amount: "101", hours: "102", rate: "103", expense_amount: nil, cost_code: "105", billing_status: nil)

    static func task(completed: Bool = true, completedAt: String? = "2026-11-20T15:00:00.000Z", values: [String: Any]) throws -> AsanaTask {
        var customFields: [[String: Any]] = []
        for (gid, value) in values {
            if let number = value as? Double { customFields.append(["gid": gid, "number_value": number, "display_value": "\(number)"]) }
            if let text = value as? String { customFields.append(["gid": gid, "text_value": text, "display_value": text]) }
        }
        let json: [String: Any] = ["gid": "1200000000004242", "name": "Homepage design", "completed": completed, "completed_at": completedAt ?? NSNull(), "custom_fields": customFields]
        return try JSONDecoder().decode(AsanaTask.self, from: JSONSerialization.data(withJSONObject: json))
    }

    @Test(arguments: [
        // (amount, hours, rate, completed) → (quantity, unit price, line amount)
        (Optional(1250.5), Optional<Double>.none, Optional<Double>.none, true, Optional(("1", "1250.5", "1250.5"))),
        (nil, 7.5, 120.0, true, ("7.5", "120", "900")),
        (nil, 0.333, 100.0, true, ("0.333", "100", "33.3")),
        (nil, 1.0 / 3.0, 10.0, true, ("0.333333333333333", "10", "3.33")),
        (nil, 2.345, 1.0, true, ("2.345", "1", "2.35")),
        (500.0, 2.0, 10.0, true, ("1", "500", "500")),
        (nil, 3.0, nil, true, nil),
        (nil, nil, nil, true, nil),
        (1250.5, nil, nil, false, nil),
        (0.0, nil, nil, true, nil),
    ] as [(Double?, Double?, Double?, Bool, (String, String, String)?)])
    func billableValuesBecomeLines(_ amount: Double?, _ hours: Double?, _ rate: Double?, _ completed: Bool, _ expected: (String, String, String)?) throws {
        var values: [String: Any] = [:]
        if let amount { values["101"] = amount }
        if let hours { values["102"] = hours }
        if let rate { values["103"] = rate }
        let task = try Self.task(completed: completed, values: values)
        let billable = FreshBooksAsanaMapping.billable(task, fields: Self.fields)
        guard let expected else {
            #expect(billable == nil)
            return
        }
        let found = try #require(billable)
        #expect(Money.string(found.unitPrice) == expected.1)
        #expect(Money.string(found.amount) == expected.2)
        #expect(Money.string(found.quantity).hasPrefix(String(expected.0.prefix(5))))
    }

    @Test func linesCarryTheCostCodeAndExactMoney() throws {
        let task = try Self.task(values: ["101": 99.99, "105": "DES-7"])
        let billable = try #require(FreshBooksAsanaMapping.billable(task, fields: Self.fields))
        let line = FreshBooksAsanaMapping.line(for: task, billable: billable, currency: try CurrencyCode("USD"))
        #expect(line.name == "Homepage design" && line.description?.contains("cost code DES-7") == true)
        #expect(Money.string(line.unitCost.amount) == "99.99" && line.unitCost.code == "USD")
    }

    @Test func invoiceNumbersAreDeterministicPerGroup() throws {
        let now = ISO8601DateFormatter().date(from: "2026-12-05T00:00:00Z")!
        let november = try Self.task(values: [:])
        let unfinished = try Self.task(completedAt: nil, values: [:])
        #expect(FreshBooksAsanaMapping.invoiceNumber(prefix: "AGY-", group: "per-project-month", freshbooksProjectID: 77, task: november, now: now) == "AGY-77-202611")
        #expect(FreshBooksAsanaMapping.invoiceNumber(prefix: "AGY-", group: "per-project-month", freshbooksProjectID: 77, task: unfinished, now: now) == "AGY-77-202612")
        #expect(FreshBooksAsanaMapping.invoiceNumber(prefix: "AGY-", group: "per-task", freshbooksProjectID: 77, task: november, now: now) == "AGY-77-T00004242")
        #expect(FreshBooksAsanaMapping.invoiceNumber(prefix: "AGY-", group: "per-task", freshbooksProjectID: 77, task: november, now: now)
                == FreshBooksAsanaMapping.invoiceNumber(prefix: "AGY-", group: "per-task", freshbooksProjectID: 77, task: november, now: now.addingTimeInterval(86400 * 40)))
    }

    @Test(arguments: [
        ("draft", 1, "o-draft"), ("sent", 2, "o-sent"), ("viewed", 3, "o-viewed"), ("partial", 8, "o-partial"), ("paid", 4, "o-paid"),
        ("overdue", 2, "o-overdue"), ("autopaid", 5, "o-paid"), ("deposit-partial", 2, "o-partial"), ("disputed", 0, "o-sent"), ("created", 1, "o-draft"),
    ])
    func invoiceStatesMapToOptionGIDs(_ v3Status: String, _ status: Int, _ option: String) throws {
        let invoice = try JSONDecoder().decode(FreshBooks.Invoice.self, from: JSONSerialization.data(withJSONObject: ["id": 1, "customerid": 2, "status": status, "v3_status": v3Status]))
        let options = Dictionary(uniqueKeysWithValues: FreshBooksAsanaConfig.statuses.map { ($0, "o-\($0)") })
        #expect(FreshBooksAsanaMapping.statusOption(for: invoice, options: options) == option)
    }

    @Test func projectsNameTheirClientAndMirrorDueDateProgressAndCompletion() throws {
        #expect(FreshBooksAsanaMapping.clientName(forProject: "Acme Corp: Website relaunch") == ("Acme Corp", "Website relaunch"))
        #expect(FreshBooksAsanaMapping.clientName(forProject: "Acme Corp") == ("Acme Corp", "Acme Corp"))
        #expect(FreshBooksAsanaMapping.clientName(forProject: "Ratio: ") == ("Ratio:", "Ratio:"))
        let project = try JSONDecoder().decode(Asana.Project.self, from: JSONSerialization.data(withJSONObject: ["gid": "9", "name": "Acme Corp: Website", "due_on": "2026-12-31", "archived": true]))
        let draft = FreshBooksAsanaMapping.projectDraft(for: project, clientID: 5, done: 3, total: 8)
        #expect(draft.title == "Website" && draft.due_date == "2026-12-31" && draft.client_id == 5 && draft.complete == true)
        #expect(draft.description == "Progress: 3 of 8 tasks done (38%)")
        #expect(FreshBooksAsanaMapping.progress(done: 0, total: 0) == "Progress: no tasks yet")
        let withTeam = FreshBooksAsanaMapping.projectDraft(for: project, clientID: 5, done: 1, total: 2, team: ["Casey Developer", "Blake Designer"])
        #expect(withTeam.description == "Progress: 1 of 2 tasks done (50%) · Team: Blake Designer, Casey Developer")
    }

    @Test func clientsMatchByEmailThenOrganization() throws {
        let clients = try [["id": 1, "organization": "Acme Corp", "email": "ap@acme.test"], ["id": 2, "organization": "Globex", "email": "billing@globex.test"],
                           ["id": 3, "organization": "Initech", "vis_state": 1]].map {
            try JSONDecoder().decode(FreshBooks.Client.self, from: JSONSerialization.data(withJSONObject: $0))
        }
        #expect(FreshBooksAsanaMapping.matchClient(organization: "Other", email: "BILLING@globex.test", among: clients)?.id == 2)
        #expect(FreshBooksAsanaMapping.matchClient(organization: "acme corp", email: nil, among: clients)?.id == 1)
        #expect(FreshBooksAsanaMapping.matchClient(organization: "Initech", email: nil, among: clients) == nil)
    }

    @Test func assigneesWhoAreTeamMembersAreNamed() throws {
        let members = try [["email": "blake@agency.test", "first_name": "Blake", "last_name": "Designer"], ["email": "avery@agency.test", "first_name": "Avery", "last_name": "Owner"]].map {
            try JSONDecoder().decode(TeamMember.self, from: JSONSerialization.data(withJSONObject: $0))
        }
        let assignees = [AsanaRef(gid: "1", email: "BLAKE@agency.test"), AsanaRef(gid: "2", email: "stranger@else.test"), AsanaRef(gid: "1", email: "blake@agency.test")]
        #expect(FreshBooksAsanaMapping.team(assignees: assignees, members: members) == ["Blake Designer"])
    }

    @Test func peopleMatchByEmailAndTheRestAreListed() throws {
        let users = try [["gid": "u1", "email": "Blake@agency.test"], ["gid": "u2", "email": "sam@agency.test"]].map {
            try JSONDecoder().decode(Asana.User.self, from: JSONSerialization.data(withJSONObject: $0))
        }
        let members = try [["email": "blake@agency.test", "identity_id": 22]].map { try JSONDecoder().decode(TeamMember.self, from: JSONSerialization.data(withJSONObject: $0)) }
        let result = FreshBooksAsanaMapping.matchPeople(asana: users, freshbooks: members)
        #expect(result.matched == ["u1": "22"] && result.unmatched == ["sam@agency.test"])
    }

    @Test func theContentHashChangesWithContentOnly() {
        struct Content: Encodable { var name: String; var amount: String }
        #expect(FreshBooksAsanaMapping.contentHash(Content(name: "a", amount: "1.00")) == FreshBooksAsanaMapping.contentHash(Content(name: "a", amount: "1.00")))
        #expect(FreshBooksAsanaMapping.contentHash(Content(name: "a", amount: "1.00")) != FreshBooksAsanaMapping.contentHash(Content(name: "a", amount: "1.01")))
    }

    /// The project link's hash moves when an assignee joins or leaves (so FreshBooks' team is read
    /// again then), never with their order or the case of an email, and with the project itself.
    @Test func theProjectHashFollowsAssigneesAndTheProject() {
        let draft = ProjectDraft(title: "Website relaunch", description: "Progress: 1 of 2 tasks done (50%)", dueDate: "2026-12-31", clientID: 7, complete: false)
        let blake = AsanaRef(gid: "1", email: "blake@agency.test")
        let casey = AsanaRef(gid: "2", email: "casey@agency.test")
        let hash = FreshBooksAsanaMapping.projectHash(draft, assignees: [blake, casey])
        #expect(FreshBooksAsanaMapping.projectHash(draft, assignees: [casey, blake, AsanaRef(gid: "1", email: "Blake@Agency.test")]) == hash)
        #expect(FreshBooksAsanaMapping.projectHash(draft, assignees: [blake]) != hash)
        #expect(FreshBooksAsanaMapping.projectHash(draft, assignees: []) != FreshBooksAsanaMapping.projectHash(draft, assignees: [blake]))
        var later = draft
        later.description = "Progress: 2 of 2 tasks done (100%)"
        #expect(FreshBooksAsanaMapping.projectHash(later, assignees: [blake, casey]) != hash)
    }
}
