import ConnectorKit
import Foundation

/// Polls one QuickBooks entity from a watermark with Change Data Capture: the guarantee behind
/// webhooks (api digest 1.6, gotcha 3). Each poll re-reads a few minutes before the last one
/// and drops versions already reported; the first run, or a gap beyond CDC's 30 days, reads
/// the entity with paged queries instead (deleted objects are not found that way).
public struct QuickBooksPoller: ChangeFeed {
    /// The entity polled.
    public let record: QuickBooksRecord
    /// The client.
    public let client: QuickBooksClient
    /// How far each poll reaches back before the last one, for clock skew and late commits.
    public var overlap: TimeInterval = 300

    /// Creates a poller.
    public init(record: QuickBooksRecord, client: QuickBooksClient) {
        self.record = record
        self.client = client
    }

    public var name: String { record.rawValue }

    /// The cursor: where the next read starts and the versions seen after that point.
    public struct Cursor: Codable, Sendable, Equatable {
        /// UTC ISO 8601.
        public var since: String
        /// Entity id → `LastUpdatedTime` already reported.
        public var seen: [String: String]
    }

    public func poll(cursor: String?, now: Date) async throws -> FeedPage {
        let previous = cursor.flatMap { try? JSONDecoder().decode(Cursor.self, from: Data($0.utf8)) }
        let since = previous.flatMap { QuickBooksTime.parse($0.since) }
        var seen = previous?.seen ?? [:]
        let found: [Changed<EntityStamp>]
        let capped: Bool
        if let since, now.timeIntervalSince(since) < QuickBooksClient.changeDataCaptureWindow - 60 {
            found = try await client.changes(record, since: since, as: EntityStamp.self)
            capped = found.count >= QuickBooksClient.changeDataCaptureCap
        } else {
            found = try await client.list(record, changedAfter: since, as: Stamped.self).collect().map { .active(EntityStamp(MetaData: $0.MetaData), id: $0.Id, lastUpdated: $0.MetaData?.LastUpdatedTime) }
            capped = false
        }
        var events: [ChangeEvent] = []
        for change in found {
            let version = change.lastUpdated ?? ""
            guard seen[change.id] != version else { continue }
            let action: ChangeEvent.Action
            switch change {
            case .deleted: action = .deleted
            case .active(let stamp, _, _): action = stamp.MetaData?.CreateTime == stamp.MetaData?.LastUpdatedTime && seen[change.id] == nil ? .created : .updated
            }
            events.append(ChangeEvent(eventID: "qbo-poll:\(record.rawValue):\(change.id):\(version)", ref: .quickbooks(record, change.id), action: action,
                                      occurredAt: change.lastUpdated.flatMap(QuickBooksTime.parse), connectionID: client.connection.id,
                                      accountRef: client.connection.accountRef, vendorEvent: "cdc"))
            seen[change.id] = version
        }
        // A capped answer stops at its newest object: continue from there, not from now.
        let newest = found.compactMap { $0.lastUpdated.flatMap(QuickBooksTime.parse) }.max()
        // A stamp ahead of our clock must not carry the watermark past now.
        let next = (capped ? min(newest ?? now, now) : now).addingTimeInterval(-overlap)
        seen = seen.filter { (QuickBooksTime.parse($0.value) ?? .distantPast) >= next }
        let text = String(decoding: try JSONEncoder().encode(Cursor(since: QuickBooksTime.format(next), seen: seen)), as: UTF8.self)
        return FeedPage(events: events, cursor: text)
    }

    private struct Stamped: Decodable, Sendable {
        var Id: String
        var MetaData: ModificationMetaData?
    }
}
