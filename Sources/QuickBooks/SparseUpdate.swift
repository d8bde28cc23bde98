import ConnectorKit
import Foundation

/// A sparse update (`"sparse": true`): only the fields in `change` are written, over the
/// `SyncToken` the entity had when read (api digest 1.5).
struct SparseUpdate<Change: Encodable & Sendable>: Encodable, Sendable {
    var id: String
    var syncToken: String
    var change: Change

    private enum Keys: String, CodingKey { case Id, SyncToken, sparse }

    func encode(to encoder: any Encoder) throws {
        try change.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .Id)
        try container.encode(syncToken, forKey: .SyncToken)
        try container.encode(true, forKey: .sparse)
    }
}

/// What every updatable entity has: the version QuickBooks last gave it.
public protocol SyncTokened: Decodable, Sendable {
    /// The entity's version; an update over an older one is refused with 5010.
    var SyncToken: String? { get }
}

extension Vendor: SyncTokened {}
extension Customer: SyncTokened {}
extension QuickBooksClass: SyncTokened {}
extension Department: SyncTokened {}
extension Account: SyncTokened {}
extension Bill: SyncTokened {}
extension JournalEntry: SyncTokened {}

extension QuickBooksClient {
    /// How many times a change is re-applied over a newer version before giving up.
    static let staleRetries = 3

    /// Applies `change` to entity `id` as a sparse update over its current `SyncToken`. On a
    /// stale SyncToken (5010) it reads the entity again and re-applies the *change*, never the
    /// stale object, up to `staleRetries` times (api digest 1.5).
    ///
    /// - Parameters:
    ///   - requestID: the write's idempotency key; each attempt sends it with the SyncToken it
    ///     was made over, so a retry of the same attempt is de-duplicated and a re-apply is not.
    ///   - syncToken: the version the caller read, if it has one (saves a read).
    public func update<Entity: SyncTokened, Change: Encodable & Sendable>(_ record: QuickBooksRecord, id: String, change: Change, requestID: String,
                                                                          syncToken: String? = nil, as type: Entity.Type) async throws -> Entity {
        var token = syncToken
        var attempt = 0
        while true {
            let current: String
            if let token { current = token } else {
                current = try await read(record, id: id, as: Entity.self).SyncToken ?? "0"
            }
            do {
                return try await send(.POST, record.rawValue, body: SparseUpdate(id: id, syncToken: current, change: change),
                                      requestID: "\(requestID)-\(current)", as: Single<Entity>.self).value
            } catch ConnectorError.conflict(let message) {
                attempt += 1
                guard attempt <= Self.staleRetries else {
                    throw ConnectorError.conflict("\(message); still stale after \(Self.staleRetries) re-reads")
                }
                token = nil
            }
        }
    }
}
