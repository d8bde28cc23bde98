import ConnectorKit
import Foundation

/// Acumatica operations a user can run one by one, from the CLI or as engine jobs, described as
/// data. Each run signs in once and signs out when done (cookie sessions hold a seat).
public enum AcumaticaActions {
    /// Every action and trigger.
    public static let all: [SystemAction] = [
        listBills, getBill, createBill, releaseBill, approveBill, listPurchaseOrders, getPurchaseOrder, approvePurchaseOrder,
        listVendors, getVendor, listEmployees, getEmployee, billChanged,
    ]

    static let modifiedSince = ActionArgument("modified-since", .day, help: "Only records changed after this day, YYYY-MM-DD (UTC).")
    static let status = ActionArgument("status", help: "Only records with this Status (Balanced, On Hold, Pending Approval, Open…).")

    static let listBills = SystemAction(ActionDescriptor(name: "list-bills", summary: "List AP bills.", arguments: [modifiedSince, status])) { call in
        try await session(call) { ActionResult("bills", try await $0.bills(try query(call)).collect()) }
    }

    static let getBill = SystemAction(ActionDescriptor(name: "get-bill", summary: "Read one bill with its lines.", arguments: [
        ActionArgument("reference-nbr", required: true, help: "The bill's number (ReferenceNbr)."),
        ActionArgument("type", help: "The document type (default Bill)."),
    ])) { call in
        try await session(call) { ActionResult("bills", [try await $0.bill(type: call.arguments["type"] ?? "Bill", referenceNbr: try call.arguments.required("reference-nbr"))]) }
    }

    static let createBill = SystemAction(ActionDescriptor(name: "create-bill", summary: "Create a bill with one line; running it again finds the same bill by vendor and vendor reference.", arguments: [
        ActionArgument("vendor", required: true, help: "The vendor's id."),
        ActionArgument("vendor-ref", required: true, help: "The vendor's invoice number (the natural key)."),
        ActionArgument("amount", .decimal, required: true, help: "The line's amount (quantity 1)."),
        ActionArgument("description", help: "The bill's and line's description."),
        ActionArgument("date", .day, help: "The document date, YYYY-MM-DD."),
    ])) { call in
        var line = BillDetail()
        line.Qty = DecimalValue(1)
        line.UnitCost = DecimalValue(try Money.decimal(parsing: try call.arguments.required("amount"), field: "--amount"))
        line.TransactionDescription = call.arguments["description"].map { StringValue($0) }
        let draft = BillDraft(vendor: try call.arguments.required("vendor"), vendorRef: try call.arguments.required("vendor-ref"), date: try call.arguments.day("date"),
                              description: call.arguments["description"], lines: [line])
        return try await session(call) { ActionResult("bills", [try await $0.createBill(draft)]) }
    }

    static let releaseBill = SystemAction(ActionDescriptor(name: "release-bill", summary: "Release a bill (ReleaseBill), waiting until Acumatica finishes.", arguments: [
        ActionArgument("reference-nbr", required: true, help: "The bill's number."),
        ActionArgument("type", help: "The document type (default Bill)."),
    ])) { call in
        try await session(call) { ActionResult("bills", [try await $0.releaseBill(type: call.arguments["type"] ?? "Bill", referenceNbr: try call.arguments.required("reference-nbr"))]) }
    }

    static let approveBill = SystemAction(ActionDescriptor(name: "approve-bill", summary: "Approve a bill pending approval, waiting until Acumatica finishes.", arguments: [
        ActionArgument("reference-nbr", required: true, help: "The bill's number."),
        ActionArgument("type", help: "The document type (default Bill)."),
    ])) { call in
        try await session(call) { ActionResult("bills", [try await $0.approveBill(type: call.arguments["type"] ?? "Bill", referenceNbr: try call.arguments.required("reference-nbr"))]) }
    }

    static let listPurchaseOrders = SystemAction(ActionDescriptor(name: "list-purchase-orders", summary: "List purchase orders.", arguments: [modifiedSince, status])) { call in
        try await session(call) { ActionResult("purchase_orders", try await $0.purchaseOrders(try query(call)).collect()) }
    }

    static let getPurchaseOrder = SystemAction(ActionDescriptor(name: "get-purchase-order", summary: "Read one purchase order with its lines.", arguments: [
        ActionArgument("order-nbr", required: true, help: "The order's number."),
        ActionArgument("type", help: "The order type (default Normal)."),
    ])) { call in
        try await session(call) { ActionResult("purchase_orders", [try await $0.purchaseOrder(type: call.arguments["type"] ?? "Normal", orderNbr: try call.arguments.required("order-nbr"))]) }
    }

    static let approvePurchaseOrder = SystemAction(ActionDescriptor(name: "approve-po", summary: "Approve a purchase order, waiting until Acumatica finishes.", arguments: [
        ActionArgument("order-nbr", required: true, help: "The order's number."),
        ActionArgument("type", help: "The order type (default Normal)."),
    ])) { call in
        try await session(call) { ActionResult("purchase_orders", [try await $0.approvePurchaseOrder(type: call.arguments["type"] ?? "Normal", orderNbr: try call.arguments.required("order-nbr"))]) }
    }

    static let listVendors = SystemAction(ActionDescriptor(name: "list-vendors", summary: "List vendors.", arguments: [modifiedSince, status])) { call in
        try await session(call) { ActionResult("vendors", try await $0.vendors(try query(call)).collect()) }
    }

    static let getVendor = SystemAction(ActionDescriptor(name: "get-vendor", summary: "Read one vendor.", arguments: [
        ActionArgument("vendor-id", required: true, help: "The vendor's id."),
    ])) { call in
        try await session(call) { ActionResult("vendors", [try await $0.vendor(id: try call.arguments.required("vendor-id"))]) }
    }

    static let listEmployees = SystemAction(ActionDescriptor(name: "list-employees", summary: "List employees.", arguments: [modifiedSince, status])) { call in
        try await session(call) { ActionResult("employees", try await $0.employees(try query(call)).collect()) }
    }

    static let getEmployee = SystemAction(ActionDescriptor(name: "get-employee", summary: "Read one employee.", arguments: [
        ActionArgument("employee-id", required: true, help: "The employee's id."),
    ])) { call in
        try await session(call) { ActionResult("employees", [try await $0.employee(id: try call.arguments.required("employee-id"))]) }
    }

    static let billChanged = SystemAction(ActionDescriptor(name: "bill-changed", summary: "A trigger: every bill changed since the last run (LastModifiedDateTime, with overlap).",
                                                           triggerCursor: { _ in "trigger:bill-changed" })) { call in
        try await session(call) { client in
            let page = try await AcumaticaChangeFeed(entity: .bills, client: client).poll(cursor: call.cursor, now: call.now)
            var bills: [Bill] = []
            for event in page.events {
                let keys = event.ref.id.split(separator: "/", maxSplits: 1).map(String.init)
                guard keys.count == 2 else { continue }
                // Only a bill deleted since the poll is skipped: any other failure fails the run, so the
                // cursor does not move past a bill that was never read.
                do { bills.append(try await client.bill(type: keys[0], referenceNbr: keys[1])) } catch ConnectorError.notFound(_) { continue }
            }
            return ActionResult("changed_bills", bills, cursor: page.cursor)
        }
    }

    private static func session(_ call: ActionCall, _ body: (AcumaticaClient) async throws -> ActionResult) async throws -> ActionResult {
        try await AcumaticaClient.withSession(pipeline: call.pipeline, connection: call.connection, body)
    }

    /// `--modified-since` and `--status` as a `$filter`.
    private static func query(_ call: ActionCall) throws -> AcumaticaQuery {
        var terms: [String] = []
        if let day = try call.arguments.day("modified-since"), let date = AcumaticaDate.parse(day) { terms.append(AcumaticaFilter.modified(after: date)) }
        if let status = call.arguments["status"] { terms.append(AcumaticaFilter.equals("Status", status)) }
        return AcumaticaQuery(filter: terms.isEmpty ? nil : AcumaticaFilter.all(terms))
    }
}

extension Bill: ActionRecord {
    public static let columns = ["TYPE", "NUMBER", "VENDOR", "VENDOR REF", "STATUS", "AMOUNT", "CURRENCY", "MODIFIED"]
    public var row: [String] {
        [`Type`?.value ?? "", ReferenceNbr?.value ?? "", Vendor?.value ?? "", VendorRef?.value ?? "", Status?.value ?? "",
         Amount?.value.map(Money.string) ?? "", CurrencyID?.value ?? "", LastModifiedDateTime?.value ?? ""]
    }
    public var ref: ExternalRef { .acumatica(.bill, keys) }
}

extension PurchaseOrder: ActionRecord {
    public static let columns = ["TYPE", "NUMBER", "VENDOR", "STATUS", "TOTAL", "CURRENCY", "MODIFIED"]
    public var row: [String] {
        [`Type`?.value ?? "", OrderNbr?.value ?? "", VendorID?.value ?? "", Status?.value ?? "", OrderTotal?.value.map(Money.string) ?? "",
         CurrencyID?.value ?? "", LastModifiedDateTime?.value ?? ""]
    }
    public var ref: ExternalRef { .acumatica(.purchaseOrder, keys) }
}

extension Vendor: ActionRecord {
    public static let columns = ["VENDOR", "NAME", "STATUS", "CURRENCY"]
    public var row: [String] { [VendorID?.value ?? "", VendorName?.value ?? "", Status?.value ?? "", CurrencyID?.value ?? ""] }
    public var ref: ExternalRef { .acumatica(.vendor, VendorID?.value ?? "") }
}

extension Employee: ActionRecord {
    public static let columns = ["EMPLOYEE", "NAME", "STATUS"]
    public var row: [String] { [EmployeeID?.value ?? "", EmployeeName?.value ?? "", Status?.value ?? ""] }
    public var ref: ExternalRef { .acumatica(.employee, EmployeeID?.value ?? "") }
}
