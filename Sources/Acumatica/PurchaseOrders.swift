import ConnectorKit
import Foundation

extension AcumaticaClient {
    /// The purchase orders matching `query`.
    public func purchaseOrders(_ query: AcumaticaQuery = AcumaticaQuery()) -> Paged<PurchaseOrder> {
        list("PurchaseOrder", query, as: PurchaseOrder.self)
    }

    /// One purchase order by type and number, with its lines.
    public func purchaseOrder(type: String = "Normal", orderNbr: String) async throws -> PurchaseOrder {
        try await get("PurchaseOrder", keys: [type, orderNbr], AcumaticaQuery(expand: ["Details"]), as: PurchaseOrder.self)
    }

    /// Approves a purchase order (the workflow action `Approve` through `{actionName}`) and reads
    /// it back; an order already past approval (`Open` or later) is answered as it is.
    public func approvePurchaseOrder(type: String = "Normal", orderNbr: String) async throws -> PurchaseOrder {
        try await invokeOnce("PurchaseOrder", action: "Approve", keys: EntityKeys(("Type", type), ("OrderNbr", orderNbr)),
                             read: { try await purchaseOrder(type: type, orderNbr: orderNbr) },
                             done: { ["Open", "Completed", "Closed"].contains($0.Status?.value ?? "") })
    }
}
