import AsyncHTTPClient
import Foundation
import NIOCore

extension AcumaticaSandbox {
    /// The Generic Inquiry names the sandbox's push queries carry in `Query`.
    static let pushQueries: [AcumaticaWorld.Entity: String] = [.Bill: "ML-Bills", .PurchaseOrder: "ML-PurchaseOrders"]

    /// After a change to a bill or order, POSTs `{Inserted, Deleted, Query, CompanyId, Id,
    /// TimeStamp, AdditionalInfo}` to the destination with its header (api digest 2.8): an update
    /// is the old row in Deleted and the new one in Inserted, a deletion the old row in Deleted
    /// only. A failed delivery is sent again,
    /// at most five attempts in all; drops, duplicates and delays follow the fault plan.
    func notifyPush(_ entity: AcumaticaWorld.Entity, before: JSONValue?, after: JSONValue?) {
        guard let query = Self.pushQueries[entity] else { return }
        let faults = faultGate.plan
        let prepared: (AcumaticaWorld.PushDestination, JSONValue)? = world.withLockedValue { world in
            guard let push = world.push else { return nil }
            world.pushTimeStamp += 1
            let body: JSONValue = .object([
                "Inserted": .array(after.map { [Self.pushRow($0, entity: entity)] } ?? []), "Deleted": .array(before.map { [Self.pushRow($0, entity: entity)] } ?? []),
                "Query": .string(query), "CompanyId": .string(world.configuration.tenant), "Id": .string(UUID().uuidString.lowercased()),
                "TimeStamp": .int(Int(world.pushTimeStamp)), "AdditionalInfo": .object([:]),
            ])
            return (push, body)
        }
        guard case let (push, body)? = prepared else { return }
        let details: [String: JSONValue] = ["query": .string(query), "id": body["Id"] ?? .null, "url": .string(push.url)]
        if faults.dropWebhooks {
            deliveryLog.record(.init(status: nil, dropped: true, details: details))
            return
        }
        let copies = faults.duplicateWebhooks ? 2 : 1
        Task { [http, deliveryLog] in
            if faults.webhookDelayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(faults.webhookDelayMilliseconds)) }
            for _ in 0..<copies {
                for attempt in 1...5 {
                    let status = await Self.post(http, push: push, body: body)
                    deliveryLog.record(.init(status: status, dropped: false, details: details.merging(["attempt": .int(attempt)]) { $1 }))
                    if let status, (200..<300).contains(status) { break }
                    try? await Task.sleep(for: .milliseconds(50 * attempt))
                }
            }
        }
    }

    /// A row as a Generic Inquiry shows it: bare values, keys and a last-modified column.
    static func pushRow(_ record: JSONValue, entity: AcumaticaWorld.Entity) -> JSONValue {
        let columns = entity == .Bill ? ["Type", "ReferenceNbr", "Vendor", "VendorRef", "Status", "Amount"] : ["Type", "OrderNbr", "VendorID", "Status", "OrderTotal"]
        var row: [String: JSONValue] = [:]
        for column in columns { row[column] = record[column]?["value"] ?? .null }
        row["\(entity.rawValue)_lastModifiedDateTime"] = record["LastModifiedDateTime"]?["value"] ?? .null
        return .object(row)
    }

    private static func post(_ http: HTTPClient, push: AcumaticaWorld.PushDestination, body: JSONValue) async -> Int? {
        var request = HTTPClientRequest(url: push.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: push.headerName, value: push.headerValue)
        request.body = .bytes(ByteBuffer(data: body.serialized()))
        guard let response = try? await http.execute(request, timeout: .seconds(10)) else { return nil }
        return Int(response.status.code)
    }
}
