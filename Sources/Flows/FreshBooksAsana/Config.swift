import Asana
import ConnectorKit
import Foundation

/// The FreshBooks ↔ Asana integration as its user declares it in YAML (DESIGN "An integration,
/// as its user writes it"). Custom fields and options are named by GID, never by name.
public struct FreshBooksAsanaConfig: IntegrationConfiguration, Equatable {
    public var name: String
    public var kind: String
    public var tenant: String?
    public var connections: Connections
    public var schedule: PollSchedule?
    public var asana: AsanaSide
    public var freshbooks: FreshBooksSide
    public var people: PeopleMatching?

    /// The connection ids by side.
    public struct Connections: Codable, Sendable, Equatable {
        public var freshbooks: String
        public var asana: String
    }

    /// What is watched in Asana and which fields carry the billing values.
    public struct AsanaSide: Codable, Sendable, Equatable {
        public var workspace: String
        /// New projects in this team become FreshBooks clients and projects.
        public var team: String?
        /// Projects watched besides the team's.
        public var projects: [String]?
        public var fields: Fields
    }

    /// Custom field GIDs by role.
    public struct Fields: Codable, Sendable, Equatable {
        public var billable_amount: String?
        public var hours: String?
        public var rate: String?
        public var expense_amount: String?
        public var cost_code: String?
        public var billing_status: AsanaEnumMapping?

        /// Creates a field mapping.
        public init(billable_amount: String?, hours: String?, rate: String?, expense_amount: String?, cost_code: String?, billing_status: AsanaEnumMapping?) {
            self.billable_amount = billable_amount
            self.hours = hours
            self.rate = rate
            self.expense_amount = expense_amount
            self.cost_code = cost_code
            self.billing_status = billing_status
        }
    }

    /// How FreshBooks invoices and expenses are made.
    public struct FreshBooksSide: Codable, Sendable, Equatable {
        public var invoice: Invoice
        public var expense: Expense?

        /// Invoice settings.
        public struct Invoice: Codable, Sendable, Equatable {
            /// `per-task` or `per-project-month`.
            public var group: String
            public var number_prefix: String
            public var currency: String
            public var mark_sent: Bool?
            public var due_offset_days: Int?
        }

        /// Expense settings.
        public struct Expense: Codable, Sendable, Equatable {
            /// The FreshBooks expense category id.
            public var category: Int
        }
    }

    /// The kind this configuration declares.
    public static let kind = "freshbooks-asana"
    /// The statuses written back to Asana.
    public static let statuses = ["draft", "sent", "viewed", "partial", "paid", "overdue"]
    /// Invoice groupings.
    public static let groupings = ["per-task", "per-project-month"]

    /// Checks everything that can be checked without calling the systems; the first problem
    /// is an error naming its key and the fix.
    public func validateShape() throws {
        func fail(_ key: String, _ message: String) -> ConnectorError { .validation(field: key, message: message) }
        try Identifier.validate(name, field: "name")
        guard kind == Self.kind else { throw fail("kind", "'\(kind)' is not \(Self.kind)") }
        if let tenant { try Identifier.validate(tenant, field: "tenant") }
        _ = try pollInterval()
        for (key, gid) in [("asana.workspace", asana.workspace), ("asana.team", asana.team ?? "1")] + (asana.projects ?? []).enumerated().map({ ("asana.projects[\($0.offset)]", $0.element) }) {
            guard gid.allSatisfy(\.isNumber), !gid.isEmpty else { throw fail(key, "'\(gid)' is not an Asana GID (digits only)") }
        }
        guard asana.team != nil || !(asana.projects ?? []).isEmpty else { throw fail("asana.team", "give asana.team (new projects there are watched) or asana.projects") }
        let fields = asana.fields
        guard fields.billable_amount != nil || (fields.hours != nil && fields.rate != nil) else {
            throw fail("asana.fields.billable_amount", "give billable_amount, or both hours and rate, so completed tasks can become invoice lines")
        }
        if (fields.hours == nil) != (fields.rate == nil) { throw fail(fields.hours == nil ? "asana.fields.hours" : "asana.fields.rate", "hours and rate go together") }
        if let status = fields.billing_status {
            let missing = Self.statuses.filter { status.options[$0] == nil }
            guard missing.isEmpty else { throw fail("asana.fields.billing_status.options", "missing option GIDs for: \(missing.joined(separator: ", "))") }
            for key in status.options.keys where !Self.statuses.contains(key) {
                throw fail("asana.fields.billing_status.options.\(key)", "'\(key)' is not a status; use \(Self.statuses.joined(separator: ", "))")
            }
        }
        guard Self.groupings.contains(freshbooks.invoice.group) else {
            throw fail("freshbooks.invoice.group", "'\(freshbooks.invoice.group)' is not one of \(Self.groupings.joined(separator: ", "))")
        }
        guard freshbooks.invoice.number_prefix.count <= 12, freshbooks.invoice.number_prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw fail("freshbooks.invoice.number_prefix", "use up to 12 letters, digits or '-'")
        }
        do { _ = try CurrencyCode(freshbooks.invoice.currency) } catch { throw fail("freshbooks.invoice.currency", "'\(freshbooks.invoice.currency)' is not an ISO currency code") }
        if fields.expense_amount != nil && freshbooks.expense == nil { throw fail("freshbooks.expense.category", "expense_amount is mapped, so give the FreshBooks expense category id") }
        if let match = people?.match, match != "email" { throw fail("people.match", "only 'email' is supported") }
    }

    /// The poll interval (5 minutes unless set).
    public func pollInterval() throws -> Duration {
        try ConfigurationYAML.interval(schedule?.poll, field: "schedule.poll")
    }

    /// Connection ids by role.
    public var connectionIDs: [String: String] { ["freshbooks": connections.freshbooks, "asana": connections.asana] }

    /// The custom fields `apply` resolves against Asana, with the type each must have.
    public var fieldRequirements: [CustomFieldRequirement] {
        let fields = asana.fields
        var requirements: [CustomFieldRequirement] = []
        for (key, gid) in [("billable_amount", fields.billable_amount), ("hours", fields.hours), ("rate", fields.rate), ("expense_amount", fields.expense_amount)] {
            if let gid { requirements.append(CustomFieldRequirement(key: "asana.fields.\(key)", gid: gid, kind: .number)) }
        }
        if let status = fields.billing_status {
            requirements.append(CustomFieldRequirement(key: "asana.fields.billing_status", gid: status.field, kind: .enumeration, options: status.options))
        }
        return requirements
    }
}

extension FreshBooksAsanaConfig {
    /// Reads the YAML a user wrote; a missing or mistyped key is an error naming it.
    public static func load(yaml: String) throws -> FreshBooksAsanaConfig {
        try FreshBooksAsanaIntegration().load(yaml: yaml)
    }
}
