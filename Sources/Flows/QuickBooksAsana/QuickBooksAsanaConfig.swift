import Asana
import ConnectorKit
import Foundation

/// The QuickBooks Online ↔ Asana integration as its user declares it in YAML: vendors and
/// customers become enum options, bill tasks post Bills (or JournalEntries) on the project's
/// class and department, and the bill's figures come back. Fields and options by GID.
public struct QuickBooksAsanaConfig: IntegrationConfiguration, Equatable {
    public var name: String
    public var kind: String
    public var tenant: String?
    public var connections: Connections
    public var schedule: PollSchedule?
    public var asana: AsanaSide
    public var quickbooks: QuickBooksSide
    public var people: PeopleMatching?

    /// The connection ids by side.
    public struct Connections: Codable, Sendable, Equatable {
        public var quickbooks: String
        public var asana: String
    }

    /// What is watched in Asana and which fields carry what.
    public struct AsanaSide: Codable, Sendable, Equatable {
        public var workspace: String
        /// Every project of this team is watched.
        public var team: String?
        /// Projects watched besides the team's.
        public var projects: [String]?
        public var fields: Fields
    }

    /// Custom field GIDs by role.
    public struct Fields: Codable, Sendable, Equatable {
        /// Enum: one option per active QuickBooks vendor.
        public var vendor: String
        /// Enum: one option per active QuickBooks customer.
        public var customer: String?
        /// Number: the bill's amount (written by people, and back from QuickBooks).
        public var amount: String
        /// Date: the bill's due date.
        public var due_date: String
        /// Text: the expense account's name or id (the default account when empty).
        public var account: String?
        /// Enum or text on a task naming its QuickBooks Class (when its project names none).
        public var `class`: String?
        /// Enum or text on a task naming its QuickBooks Department (when its project names none).
        public var department: String?
        /// Enum or text on the project itself naming the Class of its tasks' costs; new
        /// QuickBooks classes become its options (else the task field's, when that is an enum).
        public var project_class: String?
        /// Enum or text on the project itself naming the Department of its tasks' costs.
        public var project_department: String?
        /// Enum: `post` asks for the bill to be posted.
        public var post_status: AsanaEnumMapping
        /// Number: the bill's open balance, from QuickBooks.
        public var balance: String?
        /// Enum with `open`, `partially paid`, `paid`, from QuickBooks.
        public var bill_status: AsanaEnumMapping?
        /// The chosen vendor's details, written on each task naming it.
        public var vendor_terms: String?
        public var vendor_email: String?
        public var vendor_phone: String?
        public var vendor_balance: String?
    }

    /// How QuickBooks transactions are made.
    public struct QuickBooksSide: Codable, Sendable, Equatable {
        /// `bill` or `journal-entry`.
        public var post_as: String
        /// The expense account id used when a task names none.
        public var default_expense_account: String?
        /// For journal entries: the account credited (accrued liabilities, say).
        public var credit_account: String?
        /// The home currency.
        public var currency: String
        /// Per project GID: the class and department by name (overrides the project's and the task's fields).
        public var projects: [String: ProjectMapping]?
    }

    /// The class and department of a project, by their QuickBooks names.
    public struct ProjectMapping: Codable, Sendable, Equatable {
        public var `class`: String?
        public var department: String?

        /// A project's class and department by name.
        public init(class: String?, department: String?) {
            self.class = `class`
            self.department = department
        }
    }

    /// The kind this configuration declares.
    public static let kind = "quickbooks-asana"
    /// The statuses written back to Asana.
    public static let billStatuses = ["open", "partially paid", "paid"]
    /// The post-status options: `post` is required, `posted` and `failed` written when given.
    public static let postStatuses = ["post", "posted", "failed"]
    /// How a cost posts.
    public static let postings = ["bill", "journal-entry"]

    /// Checks everything that can be checked without calling the systems; the first problem
    /// is an error naming its key and the fix.
    public func validateShape() throws {
        func fail(_ key: String, _ message: String) -> ConnectorError { .validation(field: key, message: message) }
        try Identifier.validate(name, field: "name")
        guard kind == Self.kind else { throw fail("kind", "'\(kind)' is not \(Self.kind)") }
        if let tenant { try Identifier.validate(tenant, field: "tenant") }
        _ = try pollInterval()
        for (key, gid) in gids() {
            guard !gid.isEmpty, gid.count <= 32, gid.allSatisfy(\.isASCII), gid.allSatisfy(\.isNumber) else { throw fail(key, "'\(gid)' is not an Asana GID (digits only)") }
        }
        guard asana.team != nil || !(asana.projects ?? []).isEmpty else { throw fail("asana.team", "give asana.team (its projects are watched) or asana.projects") }
        guard asana.fields.post_status.options["post"] != nil else { throw fail("asana.fields.post_status.options.post", "give the option GID that means 'post this bill'") }
        for key in asana.fields.post_status.options.keys where !Self.postStatuses.contains(key) {
            throw fail("asana.fields.post_status.options.\(key)", "'\(key)' is not a post status; use \(Self.postStatuses.joined(separator: ", "))")
        }
        if let status = asana.fields.bill_status {
            let missing = Self.billStatuses.filter { status.options[$0] == nil }
            guard missing.isEmpty else { throw fail("asana.fields.bill_status.options", "missing option GIDs for: \(missing.joined(separator: ", "))") }
            for key in status.options.keys where !Self.billStatuses.contains(key) {
                throw fail("asana.fields.bill_status.options.\(key)", "'\(key)' is not a bill status; use \(Self.billStatuses.joined(separator: ", "))")
            }
        }
        guard Self.postings.contains(quickbooks.post_as) else { throw fail("quickbooks.post_as", "'\(quickbooks.post_as)' is not one of \(Self.postings.joined(separator: ", "))") }
        if asana.fields.account == nil && quickbooks.default_expense_account == nil {
            throw fail("quickbooks.default_expense_account", "give the expense account id, or map asana.fields.account so each task names one")
        }
        if quickbooks.post_as == "journal-entry" && quickbooks.credit_account == nil {
            throw fail("quickbooks.credit_account", "a journal entry credits an account: give its id")
        }
        for (key, id) in [("quickbooks.default_expense_account", quickbooks.default_expense_account), ("quickbooks.credit_account", quickbooks.credit_account)] {
            if let id, id.isEmpty || id.count > 20 || !id.allSatisfy({ $0.isASCII && $0.isNumber }) { throw fail(key, "'\(id)' is not a QuickBooks account Id (digits)") }
        }
        do { _ = try CurrencyCode(quickbooks.currency) } catch { throw fail("quickbooks.currency", "'\(quickbooks.currency)' is not an ISO currency code") }
        for (project, mapping) in quickbooks.projects ?? [:] {
            let key = "quickbooks.projects.\(project)"
            guard !project.isEmpty, project.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw fail(key, "'\(project)' is not an Asana project GID") }
            for (part, name) in [("class", mapping.class), ("department", mapping.department)] {
                if let name, name.isEmpty || name.count > 100 { throw fail("\(key).\(part)", "give the QuickBooks \(part) name (1 to 100 characters)") }
            }
        }
        if let match = people?.match, match != "email" { throw fail("people.match", "only 'email' is supported") }
    }

    /// Every GID the file names, with its key.
    func gids() -> [(String, String)] {
        let fields = asana.fields
        var all: [(String, String)] = [("asana.workspace", asana.workspace)]
        if let team = asana.team { all.append(("asana.team", team)) }
        all += (asana.projects ?? []).enumerated().map { ("asana.projects[\($0.offset)]", $0.element) }
        let optional: [(String, String?)] = [("vendor", fields.vendor), ("customer", fields.customer), ("amount", fields.amount), ("due_date", fields.due_date),
                                             ("account", fields.account), ("class", fields.class), ("department", fields.department), ("balance", fields.balance),
                                             ("project_class", fields.project_class), ("project_department", fields.project_department),
                                             ("vendor_terms", fields.vendor_terms), ("vendor_email", fields.vendor_email), ("vendor_phone", fields.vendor_phone),
                                             ("vendor_balance", fields.vendor_balance), ("post_status.field", fields.post_status.field), ("bill_status.field", fields.bill_status?.field)]
        all += optional.compactMap { key, gid in gid.map { ("asana.fields.\(key)", $0) } }
        all += fields.post_status.options.sorted { $0.key < $1.key }.map { ("asana.fields.post_status.options.\($0.key)", $0.value) }
        all += (fields.bill_status?.options ?? [:]).sorted { $0.key < $1.key }.map { ("asana.fields.bill_status.options.\($0.key)", $0.value) }
        return all
    }

    /// The poll interval (5 minutes unless set).
    public func pollInterval() throws -> Duration {
        try ConfigurationYAML.interval(schedule?.poll, field: "schedule.poll")
    }

    /// Connection ids by role.
    public var connectionIDs: [String: String] { ["quickbooks": connections.quickbooks, "asana": connections.asana] }

    /// The home currency (checked by `validateShape`).
    public func currency() throws -> CurrencyCode { try CurrencyCode(quickbooks.currency) }

    /// The custom fields `apply` resolves against Asana, with the type each must have.
    public var fieldRequirements: [CustomFieldRequirement] {
        let fields = asana.fields
        var requirements = [CustomFieldRequirement(key: "asana.fields.vendor", gid: fields.vendor, kind: .enumeration),
                            CustomFieldRequirement(key: "asana.fields.amount", gid: fields.amount, kind: .number),
                            CustomFieldRequirement(key: "asana.fields.due_date", gid: fields.due_date, kind: .date),
                            CustomFieldRequirement(key: "asana.fields.post_status", gid: fields.post_status.field, kind: .enumeration, options: fields.post_status.options)]
        if let customer = fields.customer { requirements.append(CustomFieldRequirement(key: "asana.fields.customer", gid: customer, kind: .enumeration)) }
        for (key, gid) in [("balance", fields.balance), ("vendor_balance", fields.vendor_balance)] {
            if let gid { requirements.append(CustomFieldRequirement(key: "asana.fields.\(key)", gid: gid, kind: .number)) }
        }
        for (key, gid) in [("account", fields.account), ("vendor_terms", fields.vendor_terms), ("vendor_email", fields.vendor_email), ("vendor_phone", fields.vendor_phone)] {
            if let gid { requirements.append(CustomFieldRequirement(key: "asana.fields.\(key)", gid: gid, kind: .text)) }
        }
        if let status = fields.bill_status {
            requirements.append(CustomFieldRequirement(key: "asana.fields.bill_status", gid: status.field, kind: .enumeration, options: status.options))
        }
        return requirements
    }
}
