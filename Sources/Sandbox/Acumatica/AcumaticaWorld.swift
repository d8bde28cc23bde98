import Foundation

/// Everything one Acumatica sandbox instance knows: one tenant's vendors, employees, bills and
/// purchase orders in the contract's wire form (`{"Field":{"value":x}}`), its cookie sessions,
/// its running actions and the push notification destination.
struct AcumaticaWorld: Sendable {
    /// A top-level entity the instance serves, with its key fields (api digest 2.7).
    enum Entity: String, Sendable, CaseIterable {
        case Bill, PurchaseOrder, Vendor, Employee

        var keyFields: [String] {
            switch self {
            case .Bill: ["Type", "ReferenceNbr"]
            case .PurchaseOrder: ["Type", "OrderNbr"]
            case .Vendor: ["VendorID"]
            case .Employee: ["EmployeeID"]
            }
        }
    }

    /// An action answered 202 and not finished yet.
    struct RunningAction: Sendable {
        var entity: Entity
        var keys: [String]
        var action: String
        /// Polls still to answer 202.
        var remainingPolls: Int
    }

    /// Where pushes go, as an administrator set it on SM302000.
    struct PushDestination: Sendable {
        var url: String
        var headerName: String
        var headerValue: String
    }

    var configuration: AcumaticaSandbox.Configuration
    /// Records by entity, in insertion order.
    var records: [Entity: [JSONValue]] = [:]
    /// Cookie sessions: id → last use.
    var sessions: [String: Date] = [:]
    /// Sign-ins refused for the seat limit.
    var refusedLogins = 0
    /// Sign-outs received.
    var logouts = 0
    var running: [String: RunningAction] = [:]
    var push: PushDestination?
    var pushTimeStamp: Int64 = 0
    var nextNumber = 1
    var lastStamp = Date.distantPast

    init(configuration: AcumaticaSandbox.Configuration) {
        self.configuration = configuration
        push = configuration.pushURL.map { PushDestination(url: $0, headerName: configuration.pushHeaderName, headerValue: configuration.pushSecret) }
        for entity in Entity.allCases { records[entity] = [] }
    }

    /// A strictly increasing modification time, so `LastModifiedDateTime gt …` never misses a change.
    mutating func stamp(_ now: Date = Date()) -> String {
        let millisecond = 0.001
        lastStamp = max(now, lastStamp.addingTimeInterval(millisecond))
        return Self.dateTime(lastStamp)
    }

    /// `2026-11-21T12:03:54.123+00:00`.
    static func dateTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"
        return formatter.string(from: date)
    }

    /// The next document number (`000001`), as Acumatica's numbering sequences print it.
    mutating func newNumber() -> String {
        defer { nextNumber += 1 }
        return String(format: "%06d", nextNumber)
    }

    /// The index of the record whose key fields are `keys`; nil when a URL names too few or too many.
    func index(of entity: Entity, keys: [String]) -> Int? {
        guard keys.count == entity.keyFields.count else { return nil }
        return records[entity]?.firstIndex { record in entity.keyFields.enumerated().allSatisfy { record[$0.element]?["value"]?.text == keys[$0.offset] } }
    }

    /// The index of the record with entity id `id`.
    func index(of entity: Entity, id: String) -> Int? {
        records[entity]?.firstIndex { $0["id"]?.text?.lowercased() == id.lowercased() }
    }

    /// A record's key values, in key order.
    static func keys(of record: JSONValue, entity: Entity) -> [String] {
        entity.keyFields.map { record[$0]?["value"]?.text ?? "" }
    }

    /// `{"value": x}`.
    static func wrap(_ value: JSONValue) -> JSONValue { .object(["value": value]) }
}
