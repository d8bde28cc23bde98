import ConnectorKit
import Foundation

/// The resources whose changes FreshBooks can be polled for.
public enum FreshBooksResource: String, Sendable, CaseIterable, Codable {
    case invoices, clients, expenses, payments, projects, bills, timeEntries = "time_entries"

    /// The `ExternalRef` type of its records.
    public var refType: String {
        switch self {
        case .invoices: "invoice"
        case .clients: "client"
        case .expenses: "expense"
        case .payments: "payment"
        case .projects: "project"
        case .bills: "bill"
        case .timeEntries: "time_entry"
        }
    }

    /// True for the accounting family (day-granular `search[updated_min]`).
    var isAccounting: Bool { [.invoices, .clients, .expenses, .payments, .bills].contains(self) }
}

/// Polls one FreshBooks resource from a watermark: the guarantee behind webhooks.
///
/// Accounting filters are day-granular (digest A5), so each poll re-reads from the US/Eastern
/// day before the last poll and drops versions it has already reported, keyed by id and a
/// digest of the record; the cursor carries that seen-set for the overlap window only.
public struct FreshBooksPoller: ChangeFeed {
    /// The resource polled.
    public let resource: FreshBooksResource
    /// The client.
    public let client: FreshBooksClient

    /// Creates a poller.
    public init(resource: FreshBooksResource, client: FreshBooksClient) {
        self.resource = resource
        self.client = client
    }

    public var name: String { resource.rawValue }

    /// The cursor: where the overlap window starts and the versions seen inside it.
    public struct Cursor: Codable, Sendable, Equatable {
        /// US/Eastern day (accounting) or UTC ISO time (projects, time entries).
        public var since: String
        /// Record id → version digest.
        public var seen: [String: String]
    }

    public func poll(cursor: String?, now: Date) async throws -> FeedPage {
        let previous = cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: Data($0.utf8)) }
        let overlapStart = now.addingTimeInterval(resource.isAccounting ? -86400 : -3600)
        let since = previous?.since ?? startOf(overlapStart)
        var seen = previous?.seen ?? [:]
        var events: [ChangeEvent] = []
        var current: [String: String] = [:]
        for try await item in try items(since: since) {
            let version = item.digest
            current[item.id] = version
            guard seen[item.id] != version else { continue }
            events.append(ChangeEvent(eventID: "fb-poll:\(resource.rawValue):\(item.id):\(version.prefix(16))", ref: ExternalRef(.freshbooks, resource.refType, item.id),
                                      action: previous == nil || seen[item.id] != nil ? .updated : .created, occurredAt: item.updated, accountRef: client.connection.accountRef)
                // The list answer is the whole record (invoices with their lines): it travels with the event.
                .carrying(json: item.json, readAt: now))
            seen[item.id] = version
        }
        // Keep only what the next window will see again.
        let nextSince = max(since, startOf(overlapStart))
        seen = seen.filter { current[$0.key] != nil }
        let next = Cursor(since: nextSince, seen: seen)
        return FeedPage(events: events, cursor: String(decoding: try JSONEncoder().encode(next), as: UTF8.self))
    }

    private func startOf(_ date: Date) -> String {
        resource.isAccounting ? FreshBooksWire.easternDay(date) : ProjectSearch.iso(date)
    }

    private func items(since: String) throws -> Paged<FeedItem> {
        let accountingPath: (String) throws -> String = { "/accounting/account/\(try client.accountID())/\($0)" }
        switch resource {
        case .invoices: return client.accountingPages(try accountingPath("invoices/invoices"), query: [("search[updated_min]", since), ("include[]", "lines")])
        case .clients: return client.accountingPages(try accountingPath("users/clients"), query: [("search[updated_min]", since)])
        case .expenses: return client.accountingPages(try accountingPath("expenses/expenses"), query: [("search[updated_min]", since)])
        case .payments: return client.accountingPages(try accountingPath("payments/payments"), query: [("search[updated_min]", since)])
        case .bills: return client.accountingPages(try accountingPath("bills/bills"), query: [("search[updated_min]", since)])
        case .projects: return client.metaPages("/projects/business/\(try client.businessID())/projects", query: [("updated_since", since)])
        case .timeEntries: return client.metaPages("/timetracking/business/\(try client.businessID())/time_entries", query: [("updated_since", since)])
        }
    }
}

/// One listed record: its id, when it changed, a digest of all its fields, and its JSON.
struct FeedItem: Decodable, Sendable {
    var id: String
    var updated: Date?
    var digest: String
    /// The record's JSON as listed (keys sorted), the snapshot its event carries.
    var json: String

    init(from decoder: any Decoder) throws {
        let tree = try JSONTree(from: decoder)
        guard case .object(let fields) = tree, let id = fields["id"]?.scalarText else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a listed record has no id"))
        }
        self.id = id
        let stamp = fields["updated"]?.scalarText ?? fields["updated_at"]?.scalarText ?? fields["created_at"]?.scalarText
        updated = stamp.flatMap { FreshBooksWire.parseEastern($0) ?? FreshBooksWire.parseUTC($0) }
        json = tree.canonical
        digest = Signature.sha256Hex(json)
    }
}
