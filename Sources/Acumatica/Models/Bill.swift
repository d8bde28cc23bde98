import ConnectorKit
import Foundation

/// An AP bill (screen AP301000), keyed by `Type` and `ReferenceNbr` (api digest 2.7). Fields
/// are the contract's own names; `Details` comes back only when asked for in `$expand`.
public struct Bill: Codable, Sendable, Equatable {
    /// The entity id (per session).
    public var id: String?
    /// The row's position in a list answer.
    public var rowNumber: Int?
    /// The bill's note.
    public var note: StringValue?
    /// An error on the whole record (422).
    public var error: String?
    /// `Bill` for ordinary bills.
    public var `Type`: StringValue?
    /// The document number, assigned by Acumatica on insert.
    public var ReferenceNbr: StringValue?
    /// The vendor's id.
    public var Vendor: StringValue?
    /// The vendor's own invoice number: the natural key of a bill we create.
    public var VendorRef: StringValue?
    /// `Balanced`, `On Hold`, `Pending Approval`, `Open`, `Closed`…
    public var Status: StringValue?
    /// Held bills cannot be released.
    public var Hold: BooleanValue?
    /// Approved for payment.
    public var ApprovedForPayment: BooleanValue?
    /// The document date.
    public var Date: DateTimeValue?
    /// The due date.
    public var DueDate: DateTimeValue?
    /// The description.
    public var Description: StringValue?
    /// The document's currency.
    public var CurrencyID: StringValue?
    /// The total.
    public var Amount: DecimalValue?
    /// What is left to pay.
    public var Balance: DecimalValue?
    /// The tax total.
    public var TaxTotal: DecimalValue?
    /// The branch.
    public var BranchID: StringValue?
    /// The project.
    public var Project: StringValue?
    /// When it last changed, the poller's watermark.
    public var LastModifiedDateTime: DateTimeValue?
    /// The lines (`$expand=Details`).
    public var Details: [BillDetail]?

    /// An empty bill, to fill in for a create.
    public init() {}

    /// `Type/ReferenceNbr`, the keys in a URL and a reference.
    public var keys: String { "\(`Type`?.value ?? "Bill")/\(ReferenceNbr?.value ?? "")" }

    /// The total as money in the bill's currency.
    public var total: Money? {
        guard let amount = Amount?.value, let currency = try? CurrencyCode(CurrencyID?.value ?? "") else { return nil }
        return Money(amount, currency)
    }
}

/// A bill line (`BillDetail`). GL accounts are read here but never written by ml-connector.
public struct BillDetail: Codable, Sendable, Equatable {
    /// The line's entity id; send it back to update the line.
    public var id: String?
    /// The row's position.
    public var rowNumber: Int?
    /// The branch.
    public var Branch: StringValue?
    /// The inventory item.
    public var InventoryID: StringValue?
    /// The line's description.
    public var TransactionDescription: StringValue?
    /// Quantity.
    public var Qty: DecimalValue?
    /// Unit cost.
    public var UnitCost: DecimalValue?
    /// Quantity times unit cost.
    public var ExtendedCost: DecimalValue?
    /// The line amount.
    public var Amount: DecimalValue?
    /// The expense account (read only for us).
    public var Account: StringValue?
    /// The subaccount (read only for us).
    public var Subaccount: StringValue?
    /// The project.
    public var Project: StringValue?
    /// The project task.
    public var ProjectTask: StringValue?

    /// An empty line.
    public init() {}
}
