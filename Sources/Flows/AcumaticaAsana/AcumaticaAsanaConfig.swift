import Asana
import ConnectorKit
import Foundation

/// The Acumatica ↔ Asana integration as its user declares it in YAML: which Acumatica
/// documents become approval tasks, the Asana project each goes in, the custom fields (by GID)
/// that carry their values, what counts as an approval, and how the team roster is kept.
public struct AcumaticaAsanaConfig: IntegrationConfiguration, Equatable {
    public var name: String
    public var kind: String
    public var tenant: String?
    public var connections: Connections
    public var schedule: PollSchedule?
    public var acumatica: AcumaticaSide
    public var asana: AsanaSide
    /// `report` (the default: differences are shown by `integration show`) or `enforce`
    /// (people who left are removed from the team).
    public var roster: String?

    /// The connection ids by side.
    public struct Connections: Codable, Sendable, Equatable {
        public var acumatica: String
        public var asana: String
    }

    /// What is read from Acumatica.
    public struct AcumaticaSide: Codable, Sendable, Equatable {
        /// The contract endpoint version this integration was written for (`24.200.001`): the
        /// connection and the instance must both run it.
        public var endpoint_version: String
        /// `bills`, `purchase_orders` (both when absent).
        public var documents: [String]?
    }

    /// Where tasks go and what they carry.
    public struct AsanaSide: Codable, Sendable, Equatable {
        public var workspace: String
        /// The team employees are kept in (needed for the roster).
        public var team: String?
        public var routing: Routing
        public var fields: Fields
        public var approval: Approval?
    }

    /// The Asana project of a document: by its Acumatica project, else its branch, else the default.
    public struct Routing: Codable, Sendable, Equatable {
        public var projects: [String: String]?
        public var branches: [String: String]?
        public var `default`: String?

        /// Creates a routing.
        public init(projects: [String: String]?, branches: [String: String]?, default fallback: String?) {
            self.projects = projects
            self.branches = branches
            self.default = fallback
        }
    }

    /// Custom field GIDs by role.
    public struct Fields: Codable, Sendable, Equatable {
        /// Number: the document's total.
        public var amount: String
        /// Date: the due date.
        public var due_date: String?
        /// Enum: the vendor, an option per vendor name (made when missing).
        public var vendor: String
        /// Text: the reference number.
        public var reference: String
        /// Text: the document's status, or the outcome of its release.
        public var status: String
        /// Text: the link to the document in Acumatica; also the key a task is found by.
        public var link: String

        /// Creates a field mapping.
        public init(amount: String, due_date: String?, vendor: String, reference: String, status: String, link: String) {
            self.amount = amount
            self.due_date = due_date
            self.vendor = vendor
            self.reference = reference
            self.status = status
            self.link = link
        }
    }

    /// What approves a document: completing its task (unless `on_complete: false`), or setting
    /// the enum `field` to the `approved` option.
    public struct Approval: Codable, Sendable, Equatable {
        public var on_complete: Bool?
        public var field: String?
        public var approved: String?
    }

    /// The kind this configuration declares.
    public static let kind = "acumatica-asana"
    /// The document feeds that may be named.
    public static let documentKinds = ["bills", "purchase_orders"]
    /// Roster modes.
    public static let rosterModes = ["report", "enforce"]

    /// The documents watched.
    public var documentKinds: [String] { acumatica.documents ?? Self.documentKinds }
    /// True when completing a task approves its document.
    public var approvesOnComplete: Bool { asana.approval?.on_complete ?? true }
    /// True when people who left are removed from the team.
    public var enforcesRoster: Bool { roster == "enforce" }

    /// Checks everything that can be checked without calling the systems; the first problem
    /// is an error naming its key and the fix.
    public func validateShape() throws {
        func fail(_ key: String, _ message: String) -> ConnectorError { .validation(field: key, message: message) }
        func gid(_ key: String, _ value: String) throws {
            guard !value.isEmpty, value.count <= 32, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) else { throw fail(key, "'\(value)' is not an Asana GID (digits only)") }
        }
        try Identifier.validate(name, field: "name")
        guard kind == Self.kind else { throw fail("kind", "'\(kind)' is not \(Self.kind)") }
        if let tenant { try Identifier.validate(tenant, field: "tenant") }
        _ = try pollInterval()
        guard acumatica.endpoint_version.wholeMatch(of: #/[0-9]{1,3}\.[0-9]{3}\.[0-9]{3}/#) != nil else {
            throw fail("acumatica.endpoint_version", "'\(acumatica.endpoint_version)' is not an endpoint version such as 24.200.001")
        }
        for (index, kind) in (acumatica.documents ?? []).enumerated() where !Self.documentKinds.contains(kind) {
            throw fail("acumatica.documents[\(index)]", "'\(kind)' is not one of \(Self.documentKinds.joined(separator: ", "))")
        }
        if acumatica.documents?.isEmpty == true { throw fail("acumatica.documents", "name bills, purchase_orders or both (or leave the key out)") }
        try gid("asana.workspace", asana.workspace)
        if let team = asana.team { try gid("asana.team", team) }
        let routing = asana.routing
        for (key, value) in (routing.projects ?? [:]).sorted(by: { $0.key < $1.key }) { try gid("asana.routing.projects.\(key)", value) }
        for (key, value) in (routing.branches ?? [:]).sorted(by: { $0.key < $1.key }) { try gid("asana.routing.branches.\(key)", value) }
        if let fallback = routing.default { try gid("asana.routing.default", fallback) }
        guard routing.default != nil || !(routing.projects ?? [:]).isEmpty || !(routing.branches ?? [:]).isEmpty else {
            throw fail("asana.routing.default", "give a default project, or projects / branches to route documents by")
        }
        let fields = asana.fields
        let named = [("amount", fields.amount), ("vendor", fields.vendor), ("reference", fields.reference), ("status", fields.status), ("link", fields.link)]
            + (fields.due_date.map { [("due_date", $0)] } ?? [])
        for (key, value) in named { try gid("asana.fields.\(key)", value) }
        var seen: [String: String] = [:]
        for (key, value) in named {
            if let other = seen[value] { throw fail("asana.fields.\(key)", "GID \(value) is also asana.fields.\(other); each role needs its own field") }
            seen[value] = key
        }
        if let approval = asana.approval {
            if (approval.field == nil) != (approval.approved == nil) {
                throw fail(approval.field == nil ? "asana.approval.field" : "asana.approval.approved", "field and approved go together: the enum field and its 'approved' option")
            }
            if let field = approval.field { try gid("asana.approval.field", field) }
            if let option = approval.approved { try gid("asana.approval.approved", option) }
            if approval.on_complete == false && approval.field == nil {
                throw fail("asana.approval", "with on_complete: false, give the enum field and its approved option, or nothing could approve a document")
            }
        }
        if let roster {
            guard Self.rosterModes.contains(roster) else { throw fail("roster", "'\(roster)' is not one of \(Self.rosterModes.joined(separator: ", "))") }
            guard asana.team != nil else { throw fail("asana.team", "roster: \(roster) needs the team GID employees are kept in") }
        }
    }

    /// The poll interval (5 minutes unless set).
    public func pollInterval() throws -> Duration {
        try ConfigurationYAML.interval(schedule?.poll, field: "schedule.poll")
    }

    /// Connection ids by role.
    public var connectionIDs: [String: String] { ["acumatica": connections.acumatica, "asana": connections.asana] }

    /// The custom fields `apply` resolves against Asana, with the type each must have.
    public var fieldRequirements: [CustomFieldRequirement] {
        let fields = asana.fields
        var requirements = [CustomFieldRequirement(key: "asana.fields.amount", gid: fields.amount, kind: .number),
                            CustomFieldRequirement(key: "asana.fields.vendor", gid: fields.vendor, kind: .enumeration),
                            CustomFieldRequirement(key: "asana.fields.reference", gid: fields.reference, kind: .text),
                            CustomFieldRequirement(key: "asana.fields.status", gid: fields.status, kind: .text),
                            CustomFieldRequirement(key: "asana.fields.link", gid: fields.link, kind: .text)]
        if let due = fields.due_date { requirements.append(CustomFieldRequirement(key: "asana.fields.due_date", gid: due, kind: .date)) }
        if let field = asana.approval?.field, let approved = asana.approval?.approved {
            requirements.append(CustomFieldRequirement(key: "asana.approval.field", gid: field, kind: .enumeration, options: ["approved": approved]))
        }
        return requirements
    }

    /// Every Asana project documents may be routed to.
    public var routedProjects: [String] {
        Array(Set(Array((asana.routing.projects ?? [:]).values) + Array((asana.routing.branches ?? [:]).values) + (asana.routing.default.map { [$0] } ?? []))).sorted()
    }
}
