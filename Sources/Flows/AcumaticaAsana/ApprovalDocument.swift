import Acumatica
import ConnectorKit
import Foundation

/// A bill or purchase order as the approval flow sees it: the fields a task carries and the
/// routing keys, read from either entity, bounded and checked.
public struct ApprovalDocument: Sendable, Equatable {
    /// Which entity it is.
    public enum Kind: String, Sendable, Equatable {
        case bill, purchaseOrder = "purchase_order"
    }

    public var kind: Kind
    /// `Bill`, `Normal`…
    public var type: String
    /// `ReferenceNbr` of a bill, `OrderNbr` of an order.
    public var number: String
    public var vendorID: String
    /// The vendor's own invoice number.
    public var vendorRef: String?
    public var amount: Decimal?
    public var currency: String
    /// `YYYY-MM-DD`, as the instance wrote the day.
    public var dueDate: String?
    public var status: String
    public var hold: Bool
    public var project: String?
    public var branch: String?
    public var description: String?

    /// Creates a document from its fields.
    public init(kind: Kind, type: String, number: String, vendorID: String, vendorRef: String? = nil, amount: Decimal?, currency: String, dueDate: String? = nil,
                status: String, hold: Bool = false, project: String? = nil, branch: String? = nil, description: String? = nil) {
        self.kind = kind
        self.type = type
        self.number = number
        self.vendorID = vendorID
        self.vendorRef = vendorRef
        self.amount = amount
        self.currency = currency
        self.dueDate = dueDate
        self.status = status
        self.hold = hold
        self.project = project
        self.branch = branch
        self.description = description
    }

    /// The document's reference: `acumatica:bill:Bill/000002`.
    public var ref: ExternalRef {
        .acumatica(kind == .bill ? .bill : .purchaseOrder, "\(type)/\(number)")
    }

    /// A bill; a bill without its number or vendor is an error naming the field.
    public init(bill: Bill) throws {
        guard let number = Self.bounded(bill.ReferenceNbr?.value) else { throw ConnectorError.permanent("Acumatica bill without ReferenceNbr; the record is incomplete") }
        guard let vendor = Self.bounded(bill.Vendor?.value) else { throw ConnectorError.permanent("Acumatica bill \(number) has no Vendor") }
        let line = bill.Details?.first
        self.init(kind: .bill, type: Self.bounded(bill.`Type`?.value) ?? "Bill", number: number, vendorID: vendor, vendorRef: Self.bounded(bill.VendorRef?.value),
                  amount: bill.Amount?.value, currency: Self.bounded(bill.CurrencyID?.value) ?? "USD", dueDate: Self.day(bill.DueDate?.value),
                  status: Self.bounded(bill.Status?.value) ?? "", hold: bill.Hold?.value ?? false,
                  project: Self.bounded(bill.Project?.value) ?? Self.bounded(line?.Project?.value), branch: Self.bounded(bill.BranchID?.value) ?? Self.bounded(line?.Branch?.value),
                  description: Self.bounded(bill.Description?.value, limit: 500))
    }

    /// A purchase order; one without its number or vendor is an error naming the field.
    public init(order: PurchaseOrder) throws {
        guard let number = Self.bounded(order.OrderNbr?.value) else { throw ConnectorError.permanent("Acumatica purchase order without OrderNbr; the record is incomplete") }
        guard let vendor = Self.bounded(order.VendorID?.value) else { throw ConnectorError.permanent("Acumatica purchase order \(number) has no VendorID") }
        self.init(kind: .purchaseOrder, type: Self.bounded(order.`Type`?.value) ?? "Normal", number: number, vendorID: vendor, vendorRef: Self.bounded(order.VendorRef?.value),
                  amount: order.OrderTotal?.value, currency: Self.bounded(order.CurrencyID?.value) ?? "USD", dueDate: nil,
                  status: Self.bounded(order.Status?.value) ?? "", hold: order.Hold?.value ?? false, description: Self.bounded(order.Description?.value, limit: 500))
    }

    /// Text from outside, trimmed and at most `limit` characters; nil when empty.
    static func bounded(_ text: String?, limit: Int = 120) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return String(trimmed.prefix(limit))
    }

    /// The day of an Acumatica date-time as the instance wrote it (`2026-04-08T00:00:00+00:00`
    /// → `2026-04-08`): a due date is a calendar day, not an instant.
    static func day(_ text: String?) -> String? {
        guard let text, let match = text.prefixMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}/#) else { return nil }
        return String(match.output)
    }
}
