import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// Invoices (api digest A6): created as drafts with our `invoice_number`, lines only with
    /// `include[]=lines`, money as decimal strings, `action_mark_as_sent`/`action_email`,
    /// `status` and `v3_status` kept in step with payments and the due date.
    func addInvoiceRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let base = "/accounting/account/:account/invoices/invoices"

        router.get(RouterPath(base)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let withLines = SandboxHTTP.query(request).contains { $0.0 == "include[]" && $0.1 == "lines" }
            let invoices = world.withLockedValue { Array($0.invoices.values) }.map { Self.present($0, lines: withLines, today: Date()) }
            return AccountingListing.page(invoices, request: request, listName: "invoices")
        }
        router.get("\(base)/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = try context.parameters.require("id")
            guard let invoice = world.withLockedValue({ $0.invoices[Int(id) ?? -1] }) else { return FreshBooksErrors.notFound(.accounting, object: "invoice", field: "invoiceid", value: id) }
            let withLines = SandboxHTTP.query(request).contains { $0.0 == "include[]" && $0.1 == "lines" }
            return single("invoice", Self.present(invoice, lines: withLines, today: Date()))
        }
        router.post(RouterPath(base)) { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["invoice"]?.object ?? [:]
            switch createInvoice(input) {
            case .failure(let refusal): return refusal.response
            case .success(let invoice):
                fire("invoice.create", objectID: invoice["id"]?.int ?? 0)
                return createResponse(single("invoice", Self.present(invoice, lines: true, today: Date())))
            }
        }
        router.put("\(base)/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            let input = try await SandboxHTTP.jsonBody(request)["invoice"]?.object ?? [:]
            switch updateInvoice(id: id, input) {
            case .failure(let refusal): return refusal.response
            case .success(let invoice):
                fire(invoice["vis_state"]?.int == 1 ? "invoice.delete" : "invoice.update", objectID: id)
                return single("invoice", Self.present(invoice, lines: true, today: Date()))
            }
        }
    }

    static let invoiceWritable: Set<String> = ["notes", "terms", "po_number", "address", "discount_value", "language", "vis_state"]

    func createInvoice(_ input: [String: JSONValue]) -> Result<JSONValue, Refusal> {
        world.withLockedValue { world in
            guard let customer = input["customerid"]?.int, let client = world.clients[customer] else {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "invoice", field: "customerid", message: "Client not found.")))
            }
            let currency = input["currency_code"]?.text ?? client["currency_code"]?.text ?? "USD"
            let lines: [JSONValue]
            switch Self.readLines(input["lines"], currency: currency, nextID: { world.newID() }) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let read): lines = read
            }
            let id = world.newID()
            let now = Date()
            let createDate = input["create_date"]?.text ?? FreshBooksWorld.today(now)
            let offset = input["due_offset_days"]?.int ?? 0
            let number = input["invoice_number"]?.text ?? String(format: "%07d", world.invoices.count + 1)
            var fields: [String: JSONValue] = [
                "id": .int(id), "invoiceid": .int(id), "invoice_number": .string(number), "customerid": .int(customer), "create_date": .string(createDate),
                "due_offset_days": .int(offset), "due_date": .string(Self.addDays(createDate, offset)), "currency_code": .string(currency),
                "status": .int(1), "v3_status": .string("draft"), "payment_status": .string("unpaid"), "display_status": .string("draft"),
                "auto_bill": .bool(false), "autobill_status": .null,
                "paid": .object(["amount": .string("0.00"), "code": .string(currency)]), "date_paid": .null,
                "fname": client["fname"] ?? .string(""), "lname": client["lname"] ?? .string(""), "organization": client["organization"] ?? .string(""),
                "accountid": .string(world.primary.accountID), "ownerid": .int(1), "uuid": .string(UUID().uuidString.lowercased()),
                "created_at": .string(FreshBooksWorld.easternTimestamp(now)), "updated": .string(FreshBooksWorld.easternTimestamp(now)), "vis_state": .int(0),
                "lines": .array(lines), "notes": .string(""), "terms": .string(""), "po_number": .null, "discount_total": .object(["amount": .string("0.00"), "code": .string(currency)]),
            ]
            for (key, value) in input where Self.invoiceWritable.contains(key) { fields[key] = value }
            let invoice = Self.recompute(.object(fields))
            world.invoices[id] = invoice
            return .success(invoice)
        }
    }

    func updateInvoice(id: Int, _ input: [String: JSONValue]) -> Result<JSONValue, Refusal> {
        world.withLockedValue { world in
            guard case .object(var fields)? = world.invoices[id] else {
                return .failure(Refusal(FreshBooksErrors.notFound(.accounting, object: "invoice", field: "invoiceid", value: "\(id)")))
            }
            if input["action_mark_as_sent"]?.bool == true || input["action_email"]?.bool == true {
                if fields["status"]?.int == 1 {
                    fields["status"] = .int(2)
                    fields["v3_status"] = .string("sent")
                    fields["display_status"] = .string("sent")
                }
            }
            if let lines = input["lines"] {
                // A PUT with lines replaces the whole set (api digest A6).
                switch Self.readLines(lines, currency: fields["currency_code"]?.text ?? "USD", nextID: { world.newID() }) {
                case .failure(let refusal): return .failure(refusal)
                case .success(let read): fields["lines"] = .array(read)
                }
            }
            if let offset = input["due_offset_days"]?.int {
                fields["due_offset_days"] = .int(offset)
                fields["due_date"] = .string(Self.addDays(fields["create_date"]?.text ?? FreshBooksWorld.today(Date()), offset))
            }
            for (key, value) in input where Self.invoiceWritable.contains(key) { fields[key] = value }
            fields["updated"] = .string(FreshBooksWorld.easternTimestamp(Date()))
            let invoice = Self.recompute(.object(fields))
            world.invoices[id] = invoice
            return .success(invoice)
        }
    }

    func recordPayment(_ input: [String: JSONValue]) -> Result<JSONValue, Refusal> {
        world.withLockedValue { world in
            guard let invoiceID = input["invoiceid"]?.int, case .object(var invoice)? = world.invoices[invoiceID] else {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "payment", field: "invoiceid", message: "Invoice not found.")))
            }
            guard let amount = input["amount"]?["amount"]?.decimal, amount > 0 else {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "payment", field: "amount", message: "Amount must be a positive decimal string.")))
            }
            let currency = invoice["currency_code"]?.text ?? "USD"
            let id = world.newID()
            let now = Date()
            let payment: JSONValue = .object([
                "id": .int(id), "logid": .int(id), "invoiceid": .int(invoiceID), "clientid": invoice["customerid"] ?? .null,
                "amount": .object(["amount": .decimalString(amount), "code": .string(currency)]), "date": input["date"] ?? .string(FreshBooksWorld.today(now)),
                "type": input["type"] ?? .string("Check"), "note": input["note"] ?? .string(""), "transactionid": .null, "from_credit": .bool(false),
                "gateway": .null, "updated": .string(FreshBooksWorld.easternTimestamp(now)), "vis_state": .int(0),
            ])
            world.payments[id] = payment
            let paid = (invoice["paid"]?["amount"]?.decimal ?? 0) + amount
            invoice["paid"] = .object(["amount": .moneyString(paid), "code": .string(currency)])
            invoice["updated"] = .string(FreshBooksWorld.easternTimestamp(now))
            world.invoices[invoiceID] = Self.recompute(.object(invoice), paymentDate: input["date"]?.text ?? FreshBooksWorld.today(now))
            return .success(payment)
        }
    }

    /// Reads request lines into stored lines: `qty` as a string, `unit_cost` and `amount` as
    /// money objects with decimal strings.
    static func readLines(_ value: JSONValue?, currency: String, nextID: () -> Int) -> Result<[JSONValue], Refusal> {
        var lines: [JSONValue] = []
        for (index, line) in (value?.array ?? []).enumerated() {
            guard let cost = line["unit_cost"]?["amount"]?.decimal else {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "invoice", field: "lines[\(index)].unit_cost", message: "unit_cost.amount must be a decimal string.")))
            }
            let quantity = line["qty"]?.decimal ?? 1
            var amount = cost * quantity
            var rounded = Decimal()
            NSDecimalRound(&rounded, &amount, 2, .plain)
            lines.append(.object([
                "lineid": .int(nextID()), "type": line["type"] ?? .int(0), "name": line["name"] ?? .string(""), "description": line["description"] ?? .string(""),
                "qty": .decimalString(quantity), "unit_cost": .object(["amount": .decimalString(cost), "code": .string(currency)]),
                "amount": .object(["amount": .moneyString(rounded), "code": .string(currency)]), "expenseid": line["expenseid"] ?? .null,
                "taxName1": line["taxName1"] ?? .null, "taxAmount1": line["taxAmount1"] ?? .null, "taxName2": line["taxName2"] ?? .null, "taxAmount2": line["taxAmount2"] ?? .null,
            ]))
        }
        return .success(lines)
    }

    /// Totals and payment status from the lines and what was paid.
    static func recompute(_ invoice: JSONValue, paymentDate: String? = nil) -> JSONValue {
        guard case .object(var fields) = invoice else { return invoice }
        let currency = fields["currency_code"]?.text ?? "USD"
        var total = Decimal(0)
        for line in fields["lines"]?.array ?? [] {
            let amount = line["amount"]?["amount"]?.decimal ?? 0
            let taxes = ["taxAmount1", "taxAmount2"].compactMap { line[$0]?.decimal }.reduce(Decimal(0), +)
            var tax = amount * taxes / 100
            var roundedTax = Decimal()
            NSDecimalRound(&roundedTax, &tax, 2, .plain)
            total += amount + roundedTax
        }
        let paid = fields["paid"]?["amount"]?.decimal ?? 0
        fields["amount"] = .object(["amount": .moneyString(total), "code": .string(currency)])
        fields["outstanding"] = .object(["amount": .moneyString(max(0, total - paid)), "code": .string(currency)])
        if paid > 0 {
            if paid >= total {
                fields["status"] = .int(4)
                fields["v3_status"] = .string("paid")
                fields["payment_status"] = .string("paid")
                if let paymentDate { fields["date_paid"] = .string(paymentDate) }
            } else {
                fields["status"] = .int(8)
                fields["v3_status"] = .string("partial")
                fields["payment_status"] = .string("partial")
            }
        }
        return .object(fields)
    }

    /// The invoice as read: without lines unless asked for, overdue once its due date passed.
    static func present(_ invoice: JSONValue, lines: Bool, today: Date) -> JSONValue {
        guard case .object(var fields) = invoice else { return invoice }
        if !lines { fields["lines"] = nil }
        let unpaid = (fields["outstanding"]?["amount"]?.decimal ?? 0) > 0
        if unpaid, ["sent", "viewed", "partial"].contains(fields["v3_status"]?.text ?? ""), let due = fields["due_date"]?.text, due < FreshBooksWorld.today(today) {
            fields["v3_status"] = .string("overdue")
        }
        return .object(fields)
    }

    static func addDays(_ date: String, _ days: Int) -> String {
        guard let start = WireTime.parse(date, "yyyy-MM-dd", timeZone: "UTC") else { return date }
        return WireTime.format(start.addingTimeInterval(Double(days) * 86400), "yyyy-MM-dd", timeZone: "UTC")
    }

    /// Records a payment as if the client paid (demo and tests); fires the webhooks FreshBooks would.
    @discardableResult
    public func recordPayment(invoiceID: Int, amount: String, date: String? = nil) -> Int? {
        var input: [String: JSONValue] = ["invoiceid": .int(invoiceID), "amount": .object(["amount": .string(amount)])]
        if let date { input["date"] = .string(date) }
        guard case .success(let payment) = recordPayment(input) else { return nil }
        fire("payment.create", objectID: payment["id"]?.int ?? 0)
        fire("invoice.update", objectID: invoiceID)
        return payment["id"]?.int
    }

    /// Marks an invoice viewed by the client (the admin API's stand-in for a client opening it).
    public func markInvoiceViewed(_ id: Int) -> Bool {
        let changed = world.withLockedValue { world -> Bool in
            guard case .object(var fields)? = world.invoices[id], fields["v3_status"]?.text == "sent" else { return false }
            fields["status"] = .int(3)
            fields["v3_status"] = .string("viewed")
            fields["display_status"] = .string("viewed")
            fields["updated"] = .string(FreshBooksWorld.easternTimestamp(Date()))
            world.invoices[id] = .object(fields)
            return true
        }
        if changed { fire("invoice.update", objectID: id) }
        return changed
    }
}
