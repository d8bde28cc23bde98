import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// The outcome of an invoice's automatic card charge, as FreshBooks' gateway reports it (demo
    /// and tests; `/_sandbox/invoices/:id/autobill`). The invoice carries it as `autobill_status`
    /// (`retry`, `failed` or `success`: Node SDK `models/Invoices.ts`) beside `status` (5 auto-paid,
    /// 6 retry, 7 failed) and `v3_status` (`autopaid`, `retry`, `failed`): api digest A6. A declined
    /// charge records no payment; a successful one pays what was outstanding. Fires `invoice.update`
    /// (and `payment.create` for a success) as FreshBooks would. False when the invoice is unknown
    /// or the status is not one of the three.
    @discardableResult
    public func settleAutobill(invoiceID: Int, status: String) -> Bool {
        guard let (code, v3) = Self.autobillStatuses[status] else { return false }
        var paymentID: Int?
        if status == "success" {
            guard let outstanding = world.withLockedValue({ $0.invoices[invoiceID]?["outstanding"]?["amount"]?.decimal }) else { return false }
            if outstanding > 0 {
                guard case .success(let payment) = recordPayment(["invoiceid": .int(invoiceID), "amount": .object(["amount": .moneyString(outstanding)]), "type": .string("Credit")]) else { return false }
                paymentID = payment["id"]?.int
            }
        }
        let changed = world.withLockedValue { world -> Bool in
            guard case .object(var fields)? = world.invoices[invoiceID] else { return false }
            fields["auto_bill"] = .bool(true)
            fields["autobill_status"] = .string(status)
            fields["status"] = .int(code)
            fields["v3_status"] = .string(v3)
            if status == "success" { fields["payment_status"] = .string("auto-paid") }
            fields["updated"] = .string(FreshBooksWorld.easternTimestamp(Date()))
            world.invoices[invoiceID] = .object(fields)
            return true
        }
        guard changed else { return false }
        if let paymentID { fire("payment.create", objectID: paymentID) }
        fire("invoice.update", objectID: invoiceID)
        return true
    }

    /// `autobill_status` → (`status`, `v3_status`) (api digest A6).
    static let autobillStatuses: [String: (Int, String)] = ["success": (5, "autopaid"), "retry": (6, "retry"), "failed": (7, "failed")]

    /// `POST /_sandbox/invoices/:id/autobill` with `{"autobill_status":"failed"}`.
    func addAutobillRoute(to router: Router<BasicRequestContext>) {
        router.post("/_sandbox/invoices/:id/autobill") { [self] request, context -> Response in
            let status = try await SandboxHTTP.jsonBody(request)["autobill_status"]?.text ?? ""
            let settled = settleAutobill(invoiceID: Int(try context.parameters.require("id")) ?? -1, status: status)
            return SandboxHTTP.json(settled ? .ok : .unprocessableContent, .object(["autobill_status": settled ? .string(status) : .null]))
        }
    }
}
