import Foundation

extension QuickBooksEntityRules {
    /// A bill payment (XSD `BillPayment`, api digest 1.3): a vendor, a `PayType`, a total, and
    /// lines that each pay one bill (`LinkedTxn` of `TxnType` `Bill`) no more than its balance.
    static func prepareBillPayment(_ fields: [String: JSONValue], world: QuickBooksWorld) -> Result<[String: JSONValue], Refusal> {
        var fields = fields
        func missing(_ element: String) -> Result<[String: JSONValue], Refusal> {
            .failure(Refusal(QuickBooksErrors.invalid("2020", "Required param missing, need to supply the required value for the API", detail: "Required parameter \(element) is missing in the request", element: element)))
        }
        guard let vendor = fields["VendorRef"]?["value"]?.text else { return missing("VendorRef") }
        guard world.entities["Vendor"]?[vendor] != nil else {
            return .failure(Refusal(QuickBooksErrors.invalid("2500", "Invalid Reference Id", detail: "Invalid Reference Id : VendorRef \(vendor) does not exist", element: "VendorRef")))
        }
        guard fields["PayType"]?.text != nil else { return missing("PayType") }
        guard let total = fields["TotalAmt"]?.decimal else { return missing("TotalAmt") }
        var paid = Decimal(0)
        for line in fields["Line"]?.array ?? [] {
            guard let amount = line["Amount"]?.decimal else { return missing("Line.Amount") }
            for linked in line["LinkedTxn"]?.array ?? [] where linked["TxnType"]?.text == "Bill" {
                let id = linked["TxnId"]?.text ?? ""
                guard let bill = world.entities["Bill"]?[id], bill["VendorRef"]?["value"]?.text == vendor else {
                    return .failure(Refusal(QuickBooksErrors.invalid("2500", "Invalid Reference Id", detail: "Invalid Reference Id : Bill \(id) of vendor \(vendor) does not exist", element: "Line.LinkedTxn")))
                }
                guard amount <= (bill["Balance"]?.decimal ?? 0) else {
                    return .failure(Refusal(QuickBooksErrors.invalid("6000", "A business validation error has occurred while processing your request",
                                                                     detail: "Business Validation Error: the payment of bill \(id) is more than its open balance")))
                }
            }
            paid += amount
        }
        guard paid == total else {
            return .failure(Refusal(QuickBooksErrors.invalid("6000", "A business validation error has occurred while processing your request",
                                                             detail: "Business Validation Error: TotalAmt \(total) is not the sum of the lines, \(paid)")))
        }
        fields["TxnDate"] = fields["TxnDate"] ?? .string(QuickBooksWorld.today(Date()))
        fields["CurrencyRef"] = fields["CurrencyRef"] ?? .object(["value": .string("USD"), "name": .string("United States Dollar")])
        return .success(fields)
    }

    /// The bills a created entity paid (none unless it is a bill payment).
    static func paidBills(_ entity: String, _ value: JSONValue) -> [String] {
        guard entity == "BillPayment" else { return [] }
        return (value["Line"]?.array ?? []).flatMap { $0["LinkedTxn"]?.array ?? [] }.filter { $0["TxnType"]?.text == "Bill" }.compactMap { $0["TxnId"]?.text }
    }
}

extension QuickBooksWorld {
    /// Lowers each paid bill's `Balance` by its line, as a new version of the bill.
    mutating func applyBillPayment(_ payment: [String: JSONValue], at now: Date) {
        for line in payment["Line"]?.array ?? [] {
            for bill in QuickBooksEntityRules.paidBills("BillPayment", .object(["Line": .array([line])])) {
                guard case .object(var fields)? = entities["Bill"]?[bill] else { continue }
                fields["Balance"] = .decimalNumber((fields["Balance"]?.decimal ?? 0) - (line["Amount"]?.decimal ?? 0))
                fields["SyncToken"] = .string("\((Int(fields["SyncToken"]?.text ?? "0") ?? 0) + 1)")
                if case .object(var meta)? = fields["MetaData"] {
                    meta["LastUpdatedTime"] = .string(Self.timestamp(now))
                    fields["MetaData"] = .object(meta)
                }
                put("Bill", .object(fields))
            }
        }
    }
}
