import ConnectorKit
import Foundation

/// The entities whose changes can be polled, with their key fields.
public enum AcumaticaFeedEntity: String, Sendable, CaseIterable {
    case bills, purchaseOrders = "purchase_orders", vendors, employees

    /// The contract's entity name.
    var entity: String {
        switch self {
        case .bills: "Bill"
        case .purchaseOrders: "PurchaseOrder"
        case .vendors: "Vendor"
        case .employees: "Employee"
        }
    }

    var record: AcumaticaRecord {
        switch self {
        case .bills: .bill
        case .purchaseOrders: .purchaseOrder
        case .vendors: .vendor
        case .employees: .employee
        }
    }

    /// The key fields, joined with `/` in a reference.
    var keyFields: [String] {
        switch self {
        case .bills: ["Type", "ReferenceNbr"]
        case .purchaseOrders: ["Type", "OrderNbr"]
        case .vendors: ["VendorID"]
        case .employees: ["EmployeeID"]
        }
    }
}

/// Polls one entity by `LastModifiedDateTime` (api digest 2.4, 2.10 #7): each poll re-reads from
/// `overlap` before the newest change it saw, since clocks and time zones vary, and drops the
/// versions it already reported. `$select` asks for the keys and the timestamp only, so a
/// changed record costs one read when a worker fetches it.
public struct AcumaticaChangeFeed: ChangeFeed {
    /// The entity polled.
    public let entity: AcumaticaFeedEntity
    /// The client.
    public let client: AcumaticaClient
    /// How far back each poll re-reads.
    public var overlap: Duration = .seconds(300)
    /// How far back the first poll reads.
    public var backstop: Duration = .seconds(86400)

    /// Creates a feed.
    public init(entity: AcumaticaFeedEntity, client: AcumaticaClient) {
        self.entity = entity
        self.client = client
    }

    public var name: String { entity.rawValue }

    /// The cursor: the newest change seen, and the versions seen inside the overlap.
    public struct Cursor: Codable, Sendable, Equatable {
        /// The newest `LastModifiedDateTime` seen.
        public var newest: Date
        /// Keys → the `LastModifiedDateTime` text reported.
        public var seen: [String: String]
    }

    public func poll(cursor: String?, now: Date) async throws -> FeedPage {
        let previous = cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: Data($0.utf8)) }
        let newest = min(previous?.newest ?? now.addingTimeInterval(-seconds(backstop)), now)
        var seen = previous?.seen ?? [:]
        var latest = newest
        var events: [ChangeEvent] = []
        let query = AcumaticaQuery(filter: AcumaticaFilter.modified(after: newest.addingTimeInterval(-seconds(overlap))), select: entity.keyFields + ["LastModifiedDateTime"])
        for try await row in client.list(entity.entity, query, as: AcumaticaRow.self) {
            let keys = entity.keyFields.map { row[$0]?.value ?? "" }.joined(separator: "/")
            let version = row["LastModifiedDateTime"]?.value ?? ""
            let modified = AcumaticaDate.parse(version)
            // A stamp ahead of our clock (a skewed or hostile instance) must not move the watermark
            // past now, or every later change would fall before it.
            if let modified, modified > latest { latest = min(modified, now) }
            guard seen[keys] != version else { continue }
            events.append(ChangeEvent(eventID: "acu-poll:\(entity.rawValue):\(keys):\(version)", ref: .acumatica(entity.record, keys),
                                      action: .updated, occurredAt: modified, accountRef: client.connection.accountRef))
            seen[keys] = version
        }
        // Keep only what the next window re-reads.
        let windowStart = latest.addingTimeInterval(-seconds(overlap))
        seen = seen.filter { AcumaticaDate.parse($0.value).map { $0 >= windowStart } ?? false }
        let next = Cursor(newest: latest, seen: seen)
        return FeedPage(events: events, cursor: String(decoding: try JSONEncoder().encode(next), as: UTF8.self))
    }

    private func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds)
    }
}

/// A record read leniently: the general fields whose value is text, by name; system fields
/// (`id`, `rowNumber`, `custom`) and other shapes are skipped.
struct AcumaticaRow: Decodable, Sendable {
    private var fields: [String: StringValue] = [:]

    subscript(name: String) -> StringValue? { fields[name] }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            if let value = try? container.decode(StringValue.self, forKey: key) { fields[key.stringValue] = value }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
