import Foundation
import Hummingbird

extension FreshBooksSandbox {
    /// Clients, expenses, payments and expense categories under
    /// `/accounting/account/<account_id>/…` (api digest A6), in the `response.result` envelope.
    func addAccountingRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let base = "/accounting/account/:account"

        router.get("\(base)/users/clients") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            // Balances come with a list only when asked for (`include[]=outstanding_balance`, api digest A5).
            let withBalances = SandboxHTTP.query(request).contains { $0.0 == "include[]" && $0.1 == "outstanding_balance" }
            let clients = world.withLockedValue { world in world.clients.values.map { withBalances ? Self.withBalances($0, world: world) : $0 } }
            return AccountingListing.page(clients, request: request, listName: "clients")
        }
        router.get("\(base)/users/clients/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = try context.parameters.require("id")
            // Balances come with the single read, as in FreshBooks' recorded response.
            guard let client = world.withLockedValue({ world in world.clients[Int(id) ?? -1].map { Self.withBalances($0, world: world) } }) else {
                return FreshBooksErrors.notFound(.accounting, object: "client", field: "userid", value: id)
            }
            return single("client", client)
        }
        router.post("\(base)/users/clients") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            guard let input = try await SandboxHTTP.jsonBody(request)["client"]?.object else { return FreshBooksErrors.invalid(.accounting, object: "client", field: "client", message: "Body must be {\"client\": {…}}.") }
            guard ["fname", "lname", "organization", "email"].contains(where: { input[$0]?.text?.isEmpty == false }) else {
                return FreshBooksErrors.invalid(.accounting, object: "client", field: "organization", message: "A client needs a name, an organization or an email.")
            }
            let client = world.withLockedValue { world -> JSONValue in
                let id = world.newID()
                var fields = Self.clientDefaults(id: id, accountID: world.primary.accountID, now: Date())
                for (key, value) in input where Self.clientWritable.contains(key) { fields[key] = value }
                world.clients[id] = .object(fields)
                return .object(fields)
            }
            fire("client.create", objectID: client["id"]?.int ?? 0)
            return createResponse(single("client", client))
        }
        router.put("\(base)/users/clients/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = Int(try context.parameters.require("id")) ?? -1
            let input = try await SandboxHTTP.jsonBody(request)["client"]?.object ?? [:]
            let updated = world.withLockedValue { world -> JSONValue? in
                guard case .object(var fields)? = world.clients[id] else { return nil }
                for (key, value) in input where Self.clientWritable.contains(key) || key == "vis_state" { fields[key] = value }
                fields["updated"] = .string(FreshBooksWorld.easternTimestamp(Date()))
                world.clients[id] = .object(fields)
                return .object(fields)
            }
            guard let updated else { return FreshBooksErrors.notFound(.accounting, object: "client", field: "userid", value: "\(id)") }
            fire(updated["vis_state"]?.int == 1 ? "client.delete" : "client.update", objectID: id)
            return single("client", updated)
        }

        router.get("\(base)/expenses/categories") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            return AccountingListing.page(world.withLockedValue { $0.categories }, request: request, listName: "categories")
        }

        router.get("\(base)/expenses/expenses") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            return AccountingListing.page(world.withLockedValue { Array($0.expenses.values) }, request: request, listName: "expenses")
        }
        router.get("\(base)/expenses/expenses/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = try context.parameters.require("id")
            guard let expense = world.withLockedValue({ $0.expenses[Int(id) ?? -1] }) else { return FreshBooksErrors.notFound(.accounting, object: "expense", field: "expenseid", value: id) }
            return single("expense", expense)
        }
        router.post("\(base)/expenses/expenses") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["expense"]?.object ?? [:]
            switch createExpense(input) {
            case .failure(let refusal): return refusal.response
            case .success(let expense):
                fire("expense.create", objectID: expense["id"]?.int ?? 0)
                return createResponse(single("expense", expense))
            }
        }

        router.get("\(base)/payments/payments") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            return AccountingListing.page(world.withLockedValue { Array($0.payments.values) }, request: request, listName: "payments")
        }
        router.get("\(base)/payments/payments/:id") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let id = try context.parameters.require("id")
            guard let payment = world.withLockedValue({ $0.payments[Int(id) ?? -1] }) else { return FreshBooksErrors.notFound(.accounting, object: "payment", field: "logid", value: id) }
            return single("payment", payment)
        }
        router.post("\(base)/payments/payments") { [self] request, context -> Response in
            if let refusal = await gate(request, family: .accounting, account: try context.parameters.require("account")) { return refusal }
            let input = try await SandboxHTTP.jsonBody(request)["payment"]?.object ?? [:]
            switch recordPayment(input) {
            case .failure(let refusal): return refusal.response
            case .success(let payment):
                fire("payment.create", objectID: payment["id"]?.int ?? 0)
                fire("invoice.update", objectID: payment["invoiceid"]?.int ?? 0)
                return createResponse(single("payment", payment))
            }
        }
    }

    /// A client with `outstanding_balance` and `grand_total_balance` from its unpaid invoices.
    static func withBalances(_ client: JSONValue, world: FreshBooksWorld) -> JSONValue {
        var copy = client
        let owed = world.invoices.values.filter { $0["customerid"]?.int == client["id"]?.int }.compactMap { $0["outstanding"]?["amount"]?.decimal }.reduce(Decimal(0), +)
        let balances: [JSONValue] = owed > 0 ? [.object(["amount": .object(["amount": .decimalString(owed), "code": client["currency_code"] ?? .string("USD")])])] : []
        copy["outstanding_balance"] = .array(balances)
        copy["grand_total_balance"] = .array(balances)
        return copy
    }

    /// `{"response": {"result": {"<name>": record}}}`.
    func single(_ name: String, _ record: JSONValue) -> Response {
        SandboxHTTP.json(.ok, .object(["response": .object(["result": .object([name: record])])]))
    }

    static let clientWritable: Set<String> = [
        "fname", "lname", "organization", "email", "currency_code", "p_street", "p_street2", "p_city", "p_province", "p_code", "p_country",
        "vat_name", "vat_number", "note", "bus_phone", "mob_phone", "language",
    ]

    static func clientDefaults(id: Int, accountID: String, now: Date) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "id": .int(id), "userid": .int(id), "accounting_systemid": .string(accountID), "currency_code": .string("USD"), "language": .string("en"),
            "vis_state": .int(0), "role": .string("client"), "level": .int(0), "uuid": .string(UUID().uuidString.lowercased()),
            "updated": .string(FreshBooksWorld.easternTimestamp(now)), "signup_date": .string(FreshBooksWorld.utcTimestamp(now).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")),
        ]
        for key in clientWritable where fields[key] == nil { fields[key] = key == "note" ? .null : .string("") }
        let flags: [String: JSONValue] = [
            "allow_email_include_pdf": .bool(false), "allow_late_fees": .bool(true), "allow_late_notifications": .bool(true), "company_industry": .null,
            "company_size": .null, "direct_link_token": .null, "fax": .string(""), "has_retainer": .null, "home_phone": .null, "last_activity": .null,
            "last_login": .null, "notified": .bool(false), "num_logins": .int(0), "pref_email": .bool(true), "pref_gmail": .bool(false), "retainer_id": .null,
            "s_city": .string(""), "s_code": .string(""), "s_country": .string(""), "s_province": .string(""), "s_street": .string(""), "s_street2": .string(""),
            "statement_token": .null, "subdomain": .null, "username": .string("client\(id)"),
        ]
        fields.merge(flags) { current, _ in current }
        return fields
    }

    func createExpense(_ input: [String: JSONValue]) -> Result<JSONValue, Refusal> {
        guard let amount = input["amount"]?["amount"]?.decimal else { return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "expense", field: "amount", message: "Amount is required, as {\"amount\": \"12.50\", \"code\": \"USD\"}."))) }
        guard let date = input["date"]?.text, date.count == 10 else { return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "expense", field: "date", message: "Date is required as YYYY-MM-DD."))) }
        return world.withLockedValue { world in
            guard let category = input["categoryid"]?.int, world.categories.contains(where: { $0["categoryid"]?.int == category }) else {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "expense", field: "categoryid", message: "Category not found.")))
            }
            let clientID = input["clientid"]?.int ?? 0
            if clientID != 0 && world.clients[clientID] == nil {
                return .failure(Refusal(FreshBooksErrors.invalid(.accounting, object: "expense", field: "clientid", message: "Client not found.")))
            }
            let id = world.newID()
            let code = input["amount"]?["code"]?.text ?? "USD"
            let expense: JSONValue = .object([
                "id": .int(id), "expenseid": .int(id), "categoryid": .int(category), "staffid": input["staffid"] ?? .int(1), "date": .string(date),
                "amount": .object(["amount": .decimalString(amount), "code": .string(code)]), "vendor": input["vendor"] ?? .string(""), "notes": input["notes"] ?? .string(""),
                "clientid": .int(clientID), "projectid": input["projectid"] ?? .int(0), "status": .int(clientID == 0 ? 0 : 1), "billable": .bool(clientID != 0),
                "invoiceid": .null, "has_receipt": .bool(false), "vis_state": .int(0), "updated": .string(FreshBooksWorld.easternTimestamp(Date())),
            ])
            world.expenses[id] = expense
            return .success(expense)
        }
    }

    /// A response that replaces a route's success.
    struct Refusal: Error {
        var response: Response
        init(_ response: Response) { self.response = response }
    }
}

