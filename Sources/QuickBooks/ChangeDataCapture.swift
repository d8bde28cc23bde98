import ConnectorKit
import Foundation

/// One object CDC reports: the whole entity, or the stub of a deleted one
/// (`{"status": "Deleted", "Id": "979", "MetaData": {…}}`, api digest 1.6).
public enum Changed<Entity: Decodable & Sendable>: Decodable, Sendable {
    case active(Entity, id: String, lastUpdated: String?)
    case deleted(id: String, lastUpdated: String?)

    /// The entity's `Id`.
    public var id: String {
        switch self {
        case .active(_, let id, _), .deleted(let id, _): id
        }
    }

    /// `MetaData.LastUpdatedTime` as sent: the version CDC reports.
    public var lastUpdated: String? {
        switch self {
        case .active(_, _, let stamp), .deleted(_, let stamp): stamp
        }
    }

    private struct Stub: Decodable {
        var Id: String
        var status: String?
        var MetaData: ModificationMetaData?
    }

    public init(from decoder: any Decoder) throws {
        let stub = try Stub(from: decoder)
        if stub.status == "Deleted" {
            self = .deleted(id: stub.Id, lastUpdated: stub.MetaData?.LastUpdatedTime)
        } else {
            self = .active(try Entity(from: decoder), id: stub.Id, lastUpdated: stub.MetaData?.LastUpdatedTime)
        }
    }
}

/// What a poll needs of any entity: created and changed times.
public struct EntityStamp: Decodable, Sendable {
    /// `MetaData`.
    public var MetaData: ModificationMetaData?
}

extension QuickBooksClient {
    /// How far back CDC reaches (api digest 1.6).
    public static let changeDataCaptureWindow: TimeInterval = 30 * 86400
    /// The most objects one CDC answer holds per entity (api digest 1.6).
    public static let changeDataCaptureCap = 1000

    /// Every `record` changed since `since`, whole, deleted ones as stubs
    /// (`GET /cdc?entities=…&changedSince=…`); at most `changeDataCaptureCap`, oldest first.
    public func changes<Entity: Decodable & Sendable>(_ record: QuickBooksRecord, since: Date, as type: Entity.Type) async throws -> [Changed<Entity>] {
        let answer = try await send(.GET, "cdc", query: [("entities", record.entityName), ("changedSince", QuickBooksTime.format(since))], as: CDCEnvelope<Changed<Entity>>.self)
        return answer.CDCResponse.flatMap { $0.QueryResponse.flatMap(\.items) }
    }
}

/// `{"CDCResponse": [{"QueryResponse": [{"<Entity>": […], …}, {}]}]}`: one rows object per
/// entity asked for, `{}` when nothing changed (api digest 1.6).
struct CDCEnvelope<Item: Decodable>: Decodable {
    struct Part: Decodable { var QueryResponse: [QueryEnvelope<Item>.Rows] }
    var CDCResponse: [Part]
}
