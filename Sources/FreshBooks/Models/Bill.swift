import ConnectorKit
import Foundation

/// A FreshBooks bill: what the business owes a vendor (`/bills/bills`, api digest A1 scopes
/// `bills`, `bill_vendors`; accounting envelope and US/Eastern `updated`, digest A5/A9.4).
public struct Bill: Decodable, Sendable, Equatable {
    public var id: Int
    /// The vendor's own number for the bill (may be empty).
    public var billNumber: String?
    /// The bill vendor (`vendorid`).
    public var vendorID: Int
    public var amount: MoneyObject
    public var outstanding: MoneyObject?
    public var currencyCode: String?
    /// `yyyy-MM-dd`.
    public var issueDate: String?
    public var dueDate: String?
    /// `unpaid`, `partial`, `paid`, `overdue`.
    public var status: String?
    public var updated: Date?
    /// 0 active, 1 deleted, 2 archived.
    public var visState: Int

    enum CodingKeys: String, CodingKey { case id, bill_number, vendorid, amount, outstanding, currency_code, issue_date, due_date, status, updated, vis_state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        billNumber = try container.decodeIfPresent(String.self, forKey: .bill_number)
        vendorID = try container.decode(Int.self, forKey: .vendorid)
        amount = try container.decode(MoneyObject.self, forKey: .amount)
        outstanding = try container.decodeIfPresent(MoneyObject.self, forKey: .outstanding)
        currencyCode = try container.decodeIfPresent(String.self, forKey: .currency_code)
        issueDate = try container.decodeIfPresent(String.self, forKey: .issue_date)
        dueDate = try container.decodeIfPresent(String.self, forKey: .due_date)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        updated = try EasternTimestamp.decodeIfPresent(container, .updated)
        visState = try container.decodeIfPresent(Int.self, forKey: .vis_state) ?? 0
    }
}

/// A vendor the business receives bills from (`/bill_vendors/bill_vendors`, keyed `vendorid`).
public struct BillVendor: Decodable, Sendable, Equatable {
    public var id: Int
    public var name: String
    /// The vendor's contact email: how a person on the other side is matched.
    public var email: String?
    public var currencyCode: String?
    public var visState: Int

    enum CodingKeys: String, CodingKey { case id, vendorid, vendor_name, primary_contact_email, currency_code, vis_state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = try container.decodeIfPresent(Int.self, forKey: .vendorid) ?? container.decodeIfPresent(Int.self, forKey: .id) else {
            throw DecodingError.keyNotFound(CodingKeys.vendorid, .init(codingPath: container.codingPath, debugDescription: "a bill vendor carries vendorid"))
        }
        self.id = id
        name = try container.decodeIfPresent(String.self, forKey: .vendor_name) ?? ""
        email = try container.decodeIfPresent(String.self, forKey: .primary_contact_email)
        currencyCode = try container.decodeIfPresent(String.self, forKey: .currency_code)
        visState = try container.decodeIfPresent(Int.self, forKey: .vis_state) ?? 0
    }
}

/// What `create bill vendor` sends.
public struct BillVendorDraft: Encodable, Sendable, Equatable {
    public var vendor_name: String
    public var primary_contact_email: String?
    public var currency_code: String

    /// Creates a vendor draft.
    public init(name: String, email: String?, currency: CurrencyCode) {
        vendor_name = name
        primary_contact_email = email
        currency_code = currency.code
    }
}

/// What `create bill` sends: one line of the whole amount in an expense category.
public struct BillDraft: Encodable, Sendable, Equatable {
    public var vendorid: Int
    public var bill_number: String?
    public var issue_date: String
    public var due_offset_days: Int
    public var currency_code: String
    public var lines: [Line]

    /// One bill line.
    public struct Line: Encodable, Sendable, Equatable {
        public var categoryid: Int
        public var description: String
        public var quantity: String
        public var unit_cost: MoneyObject
    }

    /// Creates a bill of `amount` from `vendorID`, issued `issueDate` (`yyyy-MM-dd`).
    public init(vendorID: Int, number: String?, issueDate: String, dueOffsetDays: Int = 30, amount: Money, categoryID: Int, description: String) {
        vendorid = vendorID
        bill_number = number
        issue_date = issueDate
        due_offset_days = dueOffsetDays
        currency_code = amount.currency.code
        lines = [Line(categoryid: categoryID, description: description, quantity: "1", unit_cost: MoneyObject(amount))]
    }
}

/// Where a payment stands: an inference, because FreshBooks documents no payment status. The
/// published payment fields (digest A6; the Node and PHP SDK models) are `id`/`logid`,
/// `invoiceid`, `clientid`, `amount{amount,code}`, `date`, `type` (free text: "Check", "Credit",
/// "Cash" are the documented examples), `note`, `transactionid`, `from_credit`, `creditid`,
/// `overpaymentid`, `gateway`, `updated`, `vis_state` — none says refunded. So:
/// - refunded: `type` is "Refund" (any case, trimmed) — our reading of the free-text type — or the
///   amount is negative (money given back: inferred, the contract never shows a negative payment);
/// - received: anything else, `from_credit` and gateway payments included.
/// A payment never says it failed: a failed charge records no payment. FreshBooks publishes that
/// on the invoice instead, as `autobill_status` (`AutobillStatus`).
public enum PaymentState: String, Sendable, Codable, CaseIterable {
    case received, refunded

    /// The state a payment's published fields say (the rule above; table-tested).
    public static func of(type: String?, amount: Decimal) -> PaymentState {
        if type?.trimmingCharacters(in: .whitespaces).lowercased() == "refund" || amount < 0 { return .refunded }
        return .received
    }
}
