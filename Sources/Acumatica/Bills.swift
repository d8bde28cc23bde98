import ConnectorKit
import Foundation

/// What a bill create carries: the vendor, its invoice number (the natural key) and lines.
public struct BillDraft: Sendable {
    /// The vendor's id.
    public var vendor: String
    /// The vendor's invoice number.
    public var vendorRef: String
    /// The document date, `YYYY-MM-DD`.
    public var date: String?
    /// The description.
    public var description: String?
    /// Enter it on hold.
    public var hold: Bool?
    /// The lines: description, quantity, unit cost, and optionally branch and project.
    public var lines: [BillDetail]

    /// Describes a bill.
    public init(vendor: String, vendorRef: String, date: String? = nil, description: String? = nil, hold: Bool? = nil, lines: [BillDetail] = []) {
        self.vendor = vendor
        self.vendorRef = vendorRef
        self.date = date
        self.description = description
        self.hold = hold
        self.lines = lines
    }

    var record: Bill {
        var bill = Bill()
        bill.`Type` = StringValue("Bill")
        bill.Vendor = StringValue(vendor)
        bill.VendorRef = StringValue(vendorRef)
        // The contract types Date as a DateTimeValue (format date-time), so a day goes as its midnight.
        bill.Date = date.map { DateTimeValue("\($0)T00:00:00+00:00") }
        bill.Description = description.map { StringValue($0) }
        bill.Hold = hold.map { BooleanValue($0) }
        bill.Details = lines.isEmpty ? nil : lines
        return bill
    }
}

extension AcumaticaClient {
    /// The bills matching `query` (add `Details` to `expand` for the lines).
    public func bills(_ query: AcumaticaQuery = AcumaticaQuery()) -> Paged<Bill> {
        list("Bill", query, as: Bill.self)
    }

    /// One bill by type and number, with its lines.
    public func bill(type: String = "Bill", referenceNbr: String) async throws -> Bill {
        try await get("Bill", keys: [type, referenceNbr], AcumaticaQuery(expand: ["Details"]), as: Bill.self)
    }

    /// Creates a bill once: the vendor, document type and vendor reference find it again after
    /// a lost answer or a repeat (the document number is Acumatica's, so it cannot be the key).
    public func createBill(_ draft: BillDraft) async throws -> Bill {
        let key = AcumaticaFilter.all([AcumaticaFilter.equals("Type", "Bill"), AcumaticaFilter.equals("Vendor", draft.vendor), AcumaticaFilter.equals("VendorRef", draft.vendorRef)])
        return try await createOnce("Bill", draft.record, naturalKey: key, AcumaticaQuery(expand: ["Details"]))
    }

    /// Releases a bill (`ReleaseBill`, waiting for the 202 to finish) and reads it back; a bill
    /// already released (`Open` or `Closed`) is answered as it is, so a retry does not fail.
    public func releaseBill(type: String = "Bill", referenceNbr: String) async throws -> Bill {
        try await invokeOnce("Bill", action: "ReleaseBill", keys: EntityKeys(("Type", type), ("ReferenceNbr", referenceNbr)),
                             read: { try await bill(type: type, referenceNbr: referenceNbr) }, done: { Bill.released.contains($0.Status?.value ?? "") })
    }

    /// Approves a bill pending approval (the workflow action `Approve`, digest 2.6) and reads it
    /// back; a bill already past approval (`Balanced` or released) is answered as it is.
    public func approveBill(type: String = "Bill", referenceNbr: String) async throws -> Bill {
        try await invokeOnce("Bill", action: "Approve", keys: EntityKeys(("Type", type), ("ReferenceNbr", referenceNbr)),
                             read: { try await bill(type: type, referenceNbr: referenceNbr) },
                             done: { ($0.Status?.value).map { $0 == "Balanced" || Bill.released.contains($0) } ?? false })
    }
}

extension Bill {
    /// The statuses of a released bill.
    static let released: Set<String> = ["Open", "Closed"]
}

/// A record's key fields as an action names them: `{"Type":{"value":"Bill"},"ReferenceNbr":{"value":"000159"}}`.
struct EntityKeys: Encodable, Sendable {
    var fields: [(name: String, value: String)]

    init(_ fields: (name: String, value: String)...) {
        self.fields = fields
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AcumaticaRow.AnyKey.self)
        for field in fields { try container.encode(StringValue(field.value), forKey: AcumaticaRow.AnyKey(stringValue: field.name)) }
    }
}
