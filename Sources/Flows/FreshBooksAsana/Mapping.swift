import Asana
import ConnectorKit
import Foundation
import FreshBooks

/// The pure rules of the FreshBooks ↔ Asana integration: no I/O, no clock (time is passed in).
public enum FreshBooksAsanaMapping {
    /// What the billing fields of a completed task say it is worth.
    public struct Billable: Sendable, Equatable {
        public var quantity: Decimal
        public var unitPrice: Decimal
        public var costCode: String?

        /// Quantity × unit price, rounded to cents half away from zero.
        public var amount: Decimal {
            var value = quantity * unitPrice
            var rounded = Decimal()
            NSDecimalRound(&rounded, &value, 2, .plain)
            return rounded
        }
    }

    /// The billable value of a task: its amount field (quantity 1) or hours × rate; nil when the
    /// task carries neither, is not completed, or is worth nothing.
    public static func billable(_ task: AsanaTask, fields: FreshBooksAsanaConfig.Fields) -> Billable? {
        guard task.completed else { return nil }
        let costCode = fields.cost_code.flatMap { task.value(of: $0)?.display_value }.flatMap { $0.isEmpty ? nil : $0 }
        if let gid = fields.billable_amount, let amount = task.value(of: gid)?.number_value, amount != 0 {
            return Billable(quantity: 1, unitPrice: amount, costCode: costCode)
        }
        if let hoursGID = fields.hours, let rateGID = fields.rate, let hours = task.value(of: hoursGID)?.number_value, let rate = task.value(of: rateGID)?.number_value, hours != 0 {
            return Billable(quantity: hours, unitPrice: rate, costCode: costCode)
        }
        return nil
    }

    /// The invoice line of a task.
    public static func line(for task: AsanaTask, billable: Billable, currency: CurrencyCode) -> InvoiceLine {
        let description = ["Asana task \(task.gid)", billable.costCode.map { "cost code \($0)" }].compactMap { $0 }.joined(separator: " · ")
        var line = InvoiceLine(name: task.name, description: description, quantity: billable.quantity, unitCost: Money(billable.unitPrice, currency))
        line.expenseID = nil
        return line
    }

    /// The month (UTC) a task belongs to for `per-project-month` grouping: when it was completed.
    public static func period(of task: AsanaTask, now: Date) -> String {
        let completed = task.completed_at.flatMap(AsanaTime.parse) ?? now
        return month.string(from: completed)
    }

    /// `yyyyMM` in UTC, made once (one formatter per task was most of grouping's cost).
    private static let month = SharedDateFormatter(format: "yyyyMM", timeZone: TimeZone(identifier: "UTC")!)

    /// Our deterministic invoice number: the same work always gets the same number, which is
    /// what makes creating it idempotent.
    public static func invoiceNumber(prefix: String, group: String, freshbooksProjectID: Int, task: AsanaTask, now: Date) -> String {
        switch group {
        case "per-task": return "\(prefix)\(freshbooksProjectID)-T\(task.gid.suffix(8))"
        default: return "\(prefix)\(freshbooksProjectID)-\(period(of: task, now: now))"
        }
    }

    /// The Asana option GID for a FreshBooks invoice's state (digest D6): overdue and partial
    /// win over the plain status.
    public static func statusOption(for invoice: FreshBooks.Invoice, options: [String: String]) -> String? {
        let status: String = switch invoice.v3Status {
        case "draft", "created": "draft"
        case "sent": "sent"
        case "viewed": "viewed"
        case "partial", "deposit-partial", "deposit_partial": "partial"
        case "paid", "autopaid", "success", "deposit-paid", "deposit_paid": "paid"
        case "overdue": "overdue"
        default: invoice.isDraft ? "draft" : "sent"
        }
        return options[status]
    }

    /// The FreshBooks client an Asana project stands for: `Client Org: Engagement` names the
    /// organization before the colon; otherwise the whole name is the organization.
    public static func clientName(forProject name: String) -> (organization: String, engagement: String) {
        let parts = name.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return (name.trimmingCharacters(in: .whitespaces), name.trimmingCharacters(in: .whitespaces)) }
        return (parts[0], parts[1])
    }

    /// An existing client for a project: same email (case-insensitive), else same organization.
    public static func matchClient(organization: String, email: String?, among clients: [FreshBooks.Client]) -> FreshBooks.Client? {
        if let email = email?.lowercased(), let byEmail = clients.first(where: { $0.email?.lowercased() == email }) { return byEmail }
        let wanted = organization.lowercased()
        return clients.first { $0.organization?.lowercased() == wanted && $0.visState == 0 }
    }

    /// The FreshBooks project mirroring an Asana project: title, due date, done when the Asana
    /// project is completed or archived, and progress and the team (assignees who are FreshBooks
    /// team members) in the description.
    public static func projectDraft(for project: Asana.Project, clientID: Int, done: Int, total: Int, team: [String] = []) -> FreshBooks.ProjectDraft {
        let engagement = clientName(forProject: project.name).engagement
        let description = progress(done: done, total: total) + (team.isEmpty ? "" : " · Team: " + team.sorted().joined(separator: ", "))
        return FreshBooks.ProjectDraft(title: engagement, description: description, dueDate: project.due_on, clientID: clientID,
                            complete: (project.completed ?? false) || (project.archived ?? false))
    }

    /// The content hash of a project's link: its draft without the team, and the assignees'
    /// emails (the team is read from FreshBooks only when these change).
    public static func projectHash(_ draft: FreshBooks.ProjectDraft, assignees: [AsanaRef]) -> String {
        contentHash([contentHash(draft)] + Set(assignees.compactMap { $0.email?.lowercased() }).sorted())
    }

    /// `Progress: 3 of 8 tasks done (38%)`.
    public static func progress(done: Int, total: Int) -> String {
        guard total > 0 else { return "Progress: no tasks yet" }
        var percent = Decimal(done * 100) / Decimal(total)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &percent, 0, .plain)
        return "Progress: \(done) of \(total) tasks done (\(Money.string(rounded))%)"
    }

    /// The names of task assignees who are FreshBooks team members (matched by email).
    public static func team(assignees: [AsanaRef], members: [TeamMember]) -> [String] {
        let known = Dictionary(members.compactMap { member in member.email.map { ($0.lowercased(), [member.first_name, member.last_name].compactMap { $0 }.joined(separator: " ")) } },
                               uniquingKeysWith: { first, _ in first })
        return Array(Set(assignees.compactMap { $0.email.flatMap { known[$0.lowercased()] } })).sorted()
    }

    /// People on both sides matched by email, and those with no match.
    public static func matchPeople(asana users: [Asana.User], freshbooks members: [TeamMember]) -> (matched: [String: String], unmatched: [String]) {
        var matched: [String: String] = [:]
        var unmatched: [String] = []
        for user in users {
            guard let email = user.email?.lowercased() else { continue }
            if let member = members.first(where: { $0.email?.lowercased() == email }), let id = member.identity_id {
                matched[user.gid] = String(id)
            } else {
                unmatched.append(email)
            }
        }
        return (matched, unmatched.sorted())
    }

    /// A digest of what was written, so an unchanged mapping writes nothing and our own writes
    /// do not come back as new work.
    public static func contentHash<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Signature.sha256Hex(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
    }
}
