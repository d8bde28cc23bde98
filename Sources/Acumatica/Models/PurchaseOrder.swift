import Foundation

/// A purchase order (screen PO301000), keyed by `Type` and `OrderNbr` (api digest 2.7).
public struct PurchaseOrder: Codable, Sendable, Equatable {
    /// The entity id (per session).
    public var id: String?
    /// The row's position in a list answer.
    public var rowNumber: Int?
    /// The order's note.
    public var note: StringValue?
    /// An error on the whole record (422).
    public var error: String?
    /// `Normal`, `Blanket`, `Drop-Ship`…
    public var `Type`: StringValue?
    /// The order number.
    public var OrderNbr: StringValue?
    /// The vendor's id.
    public var VendorID: StringValue?
    /// The vendor's reference.
    public var VendorRef: StringValue?
    /// `On Hold`, `Pending Approval`, `Open`…
    public var Status: StringValue?
    /// Held orders cannot be approved.
    public var Hold: BooleanValue?
    /// The order date.
    public var Date: DateTimeValue?
    /// The description.
    public var Description: StringValue?
    /// The order's currency.
    public var CurrencyID: StringValue?
    /// The order total.
    public var OrderTotal: DecimalValue?
    /// When it last changed.
    public var LastModifiedDateTime: DateTimeValue?
    /// The lines (`$expand=Details`).
    public var Details: [PurchaseOrderDetail]?

    /// An empty order.
    public init() {}

    /// `Type/OrderNbr`.
    public var keys: String { "\(`Type`?.value ?? "Normal")/\(OrderNbr?.value ?? "")" }
}

/// A purchase order line.
public struct PurchaseOrderDetail: Codable, Sendable, Equatable {
    /// The line's entity id.
    public var id: String?
    /// The row's position.
    public var rowNumber: Int?
    /// The inventory item.
    public var InventoryID: StringValue?
    /// Quantity ordered.
    public var OrderQty: DecimalValue?
    /// Unit cost.
    public var UnitCost: DecimalValue?
    /// Quantity times unit cost.
    public var ExtendedCost: DecimalValue?
}
