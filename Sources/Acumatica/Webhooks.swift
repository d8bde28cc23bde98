import ConnectorKit
import Foundation
import NIOCore
import NIOFoundationCompat

/// Checks an Acumatica push notification and turns its rows into change events (api digest 2.8).
///
/// Acumatica signs nothing: the webhook destination on Push Notifications (SM302000) sends one
/// static header, so the receiver compares it in constant time with the subscription's secret
/// before reading the body. Push notifications are configured in that form, not through the
/// API, so there is no subscription upkeep; pushes are triggers and the `LastModifiedDateTime`
/// poll is the guarantee (digest 2.10 #8).
public struct AcumaticaPushVerifier: WebhookVerifier {
    /// The header the destination is configured to send.
    public var header: String

    /// Creates a verifier reading `header`.
    public init(header: String = AcumaticaProvider.pushSecretHeader) {
        self.header = header
    }

    public var system: SystemKind { .acumatica }

    public func verify(_ delivery: WebhookDelivery, subscription: WebhookSubscriptionContext) throws -> WebhookVerdict {
        guard let secret = subscription.secret, !secret.isEmpty else { return .rejected(reason: "subscription \(subscription.id) has no shared secret yet") }
        guard let presented = delivery.headers.first(name: header) else { return .rejected(reason: "no \(header) header") }
        guard Signature.constantTimeEquals(Array(presented.utf8), Array(secret.utf8)) else { return .rejected(reason: "wrong \(header) value") }
        let push = try AcumaticaPush.parse(Data(buffer: delivery.body))
        return .accepted(push.events(connectionID: subscription.connectionID))
    }
}

/// A push notification body: `{Inserted, Deleted, Query, CompanyId, Id, TimeStamp, AdditionalInfo}`.
public struct AcumaticaPush: Sendable {
    /// Rows new to the query's result.
    public var inserted: [[String: String]]
    /// Rows gone from it; an update is one Deleted plus one Inserted row with the same keys.
    public var deleted: [[String: String]]
    /// The Generic Inquiry (or built-in query) name.
    public var query: String
    /// The tenant.
    public var companyID: String?
    /// The database transaction's id: with `query`, the de-duplication key.
    public var id: String
    /// Grows with each transaction, for ordering.
    public var timeStamp: Int64?

    /// Reads a body; a body that is not a push notification is a validation error.
    public static func parse(_ data: Data) throws -> AcumaticaPush {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let query = object["Query"] as? String else {
            throw ConnectorError.validation(field: "body", message: "not an Acumatica push notification (no Query)")
        }
        func rows(_ key: String) -> [[String: String]] {
            ((object[key] as? [[String: Any]]) ?? []).map { row in row.mapValues { "\($0)" } }
        }
        let id = (object["Id"]).map { "\($0)" } ?? Signature.sha256Hex(String(decoding: data, as: UTF8.self))
        return AcumaticaPush(inserted: rows("Inserted"), deleted: rows("Deleted"), query: query, companyID: object["CompanyId"] as? String,
                             id: id, timeStamp: (object["TimeStamp"] as? NSNumber)?.int64Value)
    }

    /// One event per record: a key in both lists is an update, in Inserted only a create, in
    /// Deleted only a delete (from the query's result, not necessarily from Acumatica).
    public func events(connectionID: String?) -> [ChangeEvent] {
        var order: [String] = []
        var found: [String: (ref: ExternalRef, inserted: Bool, deleted: Bool)] = [:]
        for (row, isInsert) in inserted.map({ ($0, true) }) + deleted.map({ ($0, false) }) {
            let ref = Self.ref(of: row, query: query)
            let key = ref.description
            if found[key] == nil { order.append(key) }
            var entry = found[key] ?? (ref, false, false)
            if isInsert { entry.inserted = true } else { entry.deleted = true }
            found[key] = entry
        }
        return order.compactMap { key in
            guard let entry = found[key] else { return nil }
            let action: ChangeEvent.Action = entry.inserted && entry.deleted ? .updated : entry.inserted ? .created : .deleted
            return ChangeEvent(eventID: "acu-push:\(query):\(id):\(key)", ref: entry.ref, action: action, occurredAt: nil,
                               connectionID: connectionID, accountRef: companyID, vendorEvent: "push:\(query)")
        }
    }

    /// The record a row names, from the key columns a Generic Inquiry over it would show.
    static func ref(of row: [String: String], query: String) -> ExternalRef {
        if let number = row["ReferenceNbr"] { return .acumatica(.bill, "\(row["Type"] ?? "Bill")/\(number)") }
        if let number = row["OrderNbr"] { return .acumatica(.purchaseOrder, "\(row["Type"] ?? "Normal")/\(number)") }
        if let vendor = row["VendorID"] { return .acumatica(.vendor, vendor) }
        if let employee = row["EmployeeID"] { return .acumatica(.employee, employee) }
        return .acumatica(.pushRow, "\(query)/" + Signature.sha256Hex(row.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")).prefix(16))
    }
}
