import ConnectorKit
import Engine
import Foundation
import FreshBooks
import Jira
import Store

/// Runs the FreshBooks → Jira integration for one changed FreshBooks record: a finance event
/// becomes one issue (created once, under its label), a time entry becomes, follows or leaves
/// a worklog; links and audit go in the transaction that completes the job.
public struct FreshBooksJiraChangeJob: JobHandler {
    public let kind = TriggerRouter.changeKind(forIntegrationKind: FreshBooksJiraConfig.kind)
    let pipeline: HTTPPipeline
    let consistency: SearchConsistency

    /// Creates the handler; `consistency` is how long search may lag behind a create.
    public init(pipeline: HTTPPipeline, consistency: SearchConsistency = .standard) {
        self.pipeline = pipeline
        self.consistency = consistency
    }

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(TriggerRouter.ChangePayload.self)
        let integration = try await context.integration(of: job)
        let session = try await FreshBooksJiraSession(integration: integration, context: context, pipeline: pipeline, consistency: consistency)
        var event = payload.event
        // A replay reads each record as it is now: what the feed listed then may be gone.
        if job.replayOf != nil { event.snapshot = nil }
        let ref = event.ref
        if ref.system == .jira, ref.type == JiraRecord.issue.rawValue, event.action == .deleted { return try await session.noticeDeleted(issue: ref) }
        guard ref.system == .freshbooks else { return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: \(ref.system.rawValue) changes do not move anything") }
        guard let id = Int(ref.id) else { throw ConnectorError.permanent("\(ref) does not carry a FreshBooks numeric id") }
        switch ref.type {
        case FreshBooksRecord.invoice.rawValue:
            guard event.action != .deleted else { return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: a deleted invoice keeps its issues") }
            return try await session.invoiceChanged(ref: ref, id: id, event: event)
        case FreshBooksRecord.bill.rawValue, FreshBooksRecord.payment.rawValue, FreshBooksRecord.expense.rawValue:
            guard event.action != .deleted else { return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: a deleted \(ref.type) keeps its issue") }
            guard let record = try await session.financeRecord(ref: ref, id: id, event: event) else {
                return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: \(ref.type) \(id) is deleted in FreshBooks")
            }
            return try await session.ensureIssue(for: record)
        case FreshBooksRecord.timeEntry.rawValue:
            return try await session.syncWorklog(entryID: id, deleted: event.action == .deleted, event: event)
        default:
            return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: \(ref.type) changes do not move anything")
        }
    }
}

extension FreshBooksJiraSession {
    /// A record as the event carries it (a poll's list), else fetched once (a thin webhook).
    func read<Record: Decodable>(_ type: Record.Type, event: ChangeEvent, _ fetch: () async throws -> Record) async throws -> Record {
        if let carried = event.record(as: type, currentAt: context.now) { return carried }
        return try await fetch()
    }

    /// The bill, payment or expense record an event is about; nil when it is deleted.
    func financeRecord(ref: ExternalRef, id: Int, event: ChangeEvent) async throws -> FreshBooksJiraMapping.FinanceRecord? {
        switch ref.type {
        case FreshBooksRecord.bill.rawValue:
            let bill = try await read(Bill.self, event: event) { try await freshbooks.bill(id: id) }
            guard bill.visState != 1 else { return nil }
            let vendor = try await freshbooks.billVendor(id: bill.vendorID)
            return .init(kind: .bill, source: ref, number: (bill.billNumber ?? "").isEmpty ? "#\(bill.id)" : bill.billNumber ?? "", amount: try bill.amount.money(fallbackCurrency: bill.currencyCode ?? "USD"),
                         counterparty: vendor.name, email: FreshBooksJiraMapping.reporterEmail(kind: .bill, counterparty: vendor.email, staff: nil), date: bill.issueDate, clientID: nil)
        case FreshBooksRecord.payment.rawValue:
            let payment = try await read(Payment.self, event: event) { try await freshbooks.payment(id: id) }
            guard payment.visState != 1 else { return nil }
            let invoice = try await freshbooks.invoice(id: payment.invoiceID)
            let client = try await freshbooks.client(id: payment.clientID ?? invoice.customerID)
            var amount = try payment.amount.money(fallbackCurrency: invoice.currencyCode)
            amount.amount = abs(amount.amount)
            let kind = FreshBooksJiraMapping.FinanceKind.payment(payment.state)
            return .init(kind: kind, source: ref, number: "\(payment.id) on invoice \(invoice.invoiceNumber)", amount: amount,
                         counterparty: Self.name(client), email: FreshBooksJiraMapping.reporterEmail(kind: kind, counterparty: client.email, staff: nil),
                         date: payment.date, clientID: client.id)
        default:
            let expense = try await read(Expense.self, event: event) { try await freshbooks.expense(id: id) }
            guard expense.visState != 1 else { return nil }
            let staff = try await staffEmail(expense.staffID)
            return .init(kind: .expense, source: ref, number: "#\(expense.id)", amount: try expense.amount.money(),
                         counterparty: (expense.vendor ?? "").isEmpty ? "no vendor" : expense.vendor ?? "",
                         email: FreshBooksJiraMapping.reporterEmail(kind: .expense, counterparty: nil, staff: staff), date: expense.date,
                         clientID: expense.clientID == 0 ? nil : expense.clientID)
        }
    }

    static func name(_ client: FreshBooks.Client) -> String {
        if let organization = client.organization, !organization.isEmpty { return organization }
        let person = [client.firstName, client.lastName].compactMap { $0 }.joined(separator: " ")
        return person.isEmpty ? client.email ?? "client \(client.id)" : person
    }

    /// Makes the record's issue once: a link with `hash` says it exists; otherwise the intent is
    /// recorded, and after an uncertain attempt the label is looked up by JQL before creating again.
    /// The link's hash is the event kind the issue stands for (a payment can have two: received,
    /// refunded), or a failed autobill's episode (`FreshBooksJiraAutobill.linkHash`).
    /// `made` is the record's links when the caller has read them already.
    func ensureIssue(for record: FreshBooksJiraMapping.FinanceRecord, hash: String? = nil, made: [Link]? = nil) async throws -> JobOutcome {
        let hash = hash ?? record.kind.rawValue
        let made = if let made { made } else { try await links(from: record.source) }
        let existing = made.first { $0.target.type == JiraRecord.issue.rawValue && $0.contentHash == hash }
        if let existing {
            return JobOutcome(sourceRef: record.source.description, targetRef: existing.target.description, unchanged: true, action: "\(record.kind.phrase) issue \(existing.target.id) exists")
        }
        let key = FreshBooksJiraIntentKey.issue(accountID: accountID, record: record)
        let field = try await amountField()
        let draft = FreshBooksJiraMapping.issue(record, config: config, amountFieldID: field?.id, reporter: try await account(email: record.email))
        let start = try await context.intents.begin(key)
        let issue = try await jira.createIssue(draft, key: key, previousAttemptUncertain: start.needsLookUp, consistency: consistency)
        // By id: Jira's events name an issue by id, and a key changes when the issue moves.
        let target = ExternalRef.jira(.issue, issue.id)
        return JobOutcome(writes: [context.intents.done(key, target: target), newLink(record.source, target, hash: hash, previous: nil)],
                          sourceRef: record.source.description, targetRef: target.description,
                          action: "create \(config.jira.issue_types[record.kind.rawValue] ?? record.kind.phrase) issue \(issue.key)")
    }
}

extension FreshBooksJiraSession {
    /// A tracking issue was deleted in Jira: each FreshBooks record it tracks gets an unlink job
    /// under that record's own key, so the link is dropped in turn with the record's change and
    /// rollback jobs, never beside them (a replay of the FreshBooks change makes the issue
    /// again, once); an issue this integration did not make is nothing to it.
    func noticeDeleted(issue: ExternalRef) async throws -> JobOutcome {
        let links = try await context.store.links(integrationID: integration.id, target: issue)
        guard !links.isEmpty else { return JobOutcome(sourceRef: issue.description, unchanged: true, action: "ignored: not a tracking issue") }
        let jobs = try links.map { link in
            try JobRequest(kind: FreshBooksJiraUnlinkJob.kindName, tenant: integration.tenant, integrationID: integration.id, connectionID: jira.connection.id,
                           coalesceKey: TriggerRouter.coalesceKey(integrationID: integration.id, ref: link.source),
                           payload: FreshBooksJiraUnlinkJob.Payload(source: link.source, target: issue), runAt: context.now, source: .webhook)
        }
        return JobOutcome(writes: jobs.map { .enqueue($0) }, sourceRef: issue.description, targetRef: links.first?.source.description,
                          action: "tracking issue \(issue.id) deleted in Jira; replay \(links.map(\.source.description).joined(separator: ", ")) to make it again")
    }
}

/// Drops the link from a FreshBooks record to a tracking issue deleted in Jira, under the
/// record's key (`TriggerRouter.coalesceKey`), so it never runs beside the record's change or
/// rollback job. A link already gone is nothing to do.
public struct FreshBooksJiraUnlinkJob: JobHandler {
    /// The job kind.
    public static let kindName = "\(FreshBooksJiraConfig.kind).unlink"
    public let kind = Self.kindName

    /// The link to drop.
    public struct Payload: Codable, Sendable, Equatable {
        /// The FreshBooks record (`freshbooks:bill:7`).
        public var source: ExternalRef
        /// The deleted issue (`jira:issue:10001`).
        public var target: ExternalRef
    }

    /// Creates the handler.
    public init() {}

    public func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Payload.self)
        let integrationID = try await context.integration(of: job).id
        guard try await context.store.links(integrationID: integrationID, source: payload.source).contains(where: { $0.target == payload.target }) else {
            return JobOutcome(sourceRef: payload.source.description, targetRef: payload.target.description, unchanged: true, action: "link already gone")
        }
        return JobOutcome(writes: [.removeLink(integrationID: integrationID, source: payload.source, target: payload.target)], sourceRef: payload.source.description,
                          targetRef: payload.target.description, action: "drop the link to deleted tracking issue \(payload.target.id)")
    }
}
