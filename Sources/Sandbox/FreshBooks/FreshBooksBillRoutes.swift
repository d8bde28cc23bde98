import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// Bills and bill vendors under `/accounting/account/<account_id>/…` (accounting envelope,
    /// `search[…]` paging, US/Eastern `updated`; api digest A5, A6), and the payment update that
    /// records a gateway failure or a refund (`payment.update`).
    func addBillRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let base = "/accounting/account/:account"

        router.get("\(base)/bill_vendors/bill_vendors") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            return AccountingListing.page(world.withLockedValue { Array($0.billVendors.values) }, request: request, listName: "bill_vendors", idKey: "vendorid")
        }
        router.get("\(base)/bill_vendors/bill_vendors/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = try context.parameters.require("id")
            guard let vendor = world.withLockedValue({ $0.billVendors[Int(id) ?? -1] }) else { return FreshBooksErrors.notFound(.accounting, object: "bill_vendor", field: "vendorid", value: id) }
            return single("bill_vendor", vendor)
        }
        router.post("\(base)/bill_vendors/bill_vendors") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["bill_vendor"]?.object ?? [:]
            switch createBillVendor(input) {
            case .failure(let refusal): return refusal.response
            case .success(let vendor):
                fire("bill_vendor.create", objectID: vendor["vendorid"]?.int ?? 0)
                return createResponse(single("bill_vendor", vendor))
            }
        }

        router.get("\(base)/bills/bills") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            return AccountingListing.page(world.withLockedValue { Array($0.bills.values) }, request: request, listName: "bills")
        }
        router.get("\(base)/bills/bills/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = try context.parameters.require("id")
            guard let bill = world.withLockedValue({ $0.bills[Int(id) ?? -1] }) else { return FreshBooksErrors.notFound(.accounting, object: "bill", field: "id", value: id) }
            return single("bill", bill)
        }
        router.post("\(base)/bills/bills") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["bill"]?.object ?? [:]
            switch createBill(input) {
            case .failure(let refusal): return refusal.response
            case .success(let bill):
                fire("bill.create", objectID: bill["id"]?.int ?? 0)
                return createResponse(single("bill", bill))
            }
        }

        router.put("\(base)/payments/payments/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            let input = try await SandboxHTTP.jsonBody(request)["payment"]?.object ?? [:]
            guard let payment = updatePayment(id: id, input) else { return FreshBooksErrors.notFound(.accounting, object: "payment", field: "logid", value: "\(id)") }
            fire("payment.update", objectID: id)
            return single("payment", payment)
        }
    }

    func createBillVendor(_ input: [String: JSONValue]) -> Result<JSONValue, Refusal> {
        guard let name = input["vendor_name"]?.text, !name.isEmpty else {
            return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "bill_vendor", field: "vendor_name", message: "Vendor name is required.")))
        }
        return .success(world.withLockedValue { world in
            let id = world.newID()
            let vendor: JSONValue = .object([
                "vendorid": .int(id), "id": .int(id), "vendor_name": .string(name), "primary_contact_email": input["primary_contact_email"] ?? .null,
                "currency_code": input["currency_code"] ?? .string("USD"), "language": .string("en"), "vis_state": .int(0),
                "updated": .string(FreshBooksWorld.easternTimestamp(Date())),
            ])
            world.billVendors[id] = vendor
            return vendor
        })
    }

    func createBill(_ input: [String: JSONValue]) -> Result<JSONValue, Refusal> {
        guard let issueDate = input["issue_date"]?.text, issueDate.count == 10 else {
            return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "bill", field: "issue_date", message: "Issue date is required as YYYY-MM-DD.")))
        }
        let lines = input["lines"]?.array ?? []
        guard !lines.isEmpty else { return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "bill", field: "lines", message: "A bill needs at least one line."))) }
        var total = Decimal(0)
        for (index, line) in lines.enumerated() {
            guard let cost = line["unit_cost"]?["amount"]?.decimal else {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "bill", field: "lines[\(index)].unit_cost", message: "unit_cost.amount must be a decimal string.")))
            }
            total += cost * (line["quantity"]?.decimal ?? 1)
        }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &total, 2, .plain)
        total = rounded
        return world.withLockedValue { world in
            guard let vendorID = input["vendorid"]?.int, world.billVendors[vendorID] != nil else {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "bill", field: "vendorid", message: "Bill vendor not found.")))
            }
            let id = world.newID()
            let code = input["currency_code"]?.text ?? "USD"
            let money: JSONValue = .object(["amount": .moneyString(total), "code": .string(code)])
            let bill: JSONValue = .object([
                "id": .int(id), "bill_number": input["bill_number"] ?? .string(""), "vendorid": .int(vendorID), "amount": money, "outstanding": money,
                "paid": .object(["amount": .moneyString(0), "code": .string(code)]), "currency_code": .string(code), "issue_date": .string(issueDate),
                "due_offset_days": input["due_offset_days"] ?? .int(0), "due_date": .string(issueDate), "status": .string("unpaid"), "lines": .array(lines),
                "vis_state": .int(0), "updated": .string(FreshBooksWorld.easternTimestamp(Date())),
            ])
            world.bills[id] = bill
            return .success(bill)
        }
    }

    /// Applies `type`, `note` or `amount` to a payment (a refund).
    func updatePayment(id: Int, _ input: [String: JSONValue]) -> JSONValue? {
        world.withLockedValue { world in
            guard case .object(var fields)? = world.payments[id] else { return nil }
            for key in ["type", "note", "vis_state"] where input[key] != nil { fields[key] = input[key] }
            if let amount = input["amount"]?["amount"]?.decimal { fields["amount"] = .object(["amount": .decimalString(amount), "code": fields["amount"]?["code"] ?? .string("USD")]) }
            fields["updated"] = .string(FreshBooksWorld.easternTimestamp(Date()))
            world.payments[id] = .object(fields)
            return .object(fields)
        }
    }
}

extension FreshBooksSandbox {
    /// A vendor bill arriving, as a bookkeeper records it in FreshBooks (demo and tests); returns its id.
    @discardableResult
    public func receiveBill(vendor: String, email: String?, number: String, amount: String, currency: String = "USD", issueDate: String) -> Int? {
        guard case .success(let made) = createBillVendor(["vendor_name": .string(vendor), "primary_contact_email": email.map { .string($0) } ?? .null, "currency_code": .string(currency)]),
              let vendorID = made["vendorid"]?.int else { return nil }
        fire("bill_vendor.create", objectID: vendorID)
        let line: JSONValue = .object(["description": .string("Bill \(number)"), "quantity": .string("1"), "unit_cost": .object(["amount": .string(amount), "code": .string(currency)])])
        guard case .success(let bill) = createBill(["vendorid": .int(vendorID), "bill_number": .string(number), "issue_date": .string(issueDate),
                                                    "currency_code": .string(currency), "lines": .array([line])]) else { return nil }
        fire("bill.create", objectID: bill["id"]?.int ?? 0)
        return bill["id"]?.int
    }

    /// A payment being refunded (demo and tests): `payment.update`.
    @discardableResult
    public func changePayment(id: Int, type: String? = nil) -> Bool {
        var input: [String: JSONValue] = [:]
        if let type { input["type"] = .string(type) }
        guard updatePayment(id: id, input) != nil else { return false }
        fire("payment.update", objectID: id)
        return true
    }
}
