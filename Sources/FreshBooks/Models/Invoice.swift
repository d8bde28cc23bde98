import ConnectorKit
import Foundation

/// A FreshBooks invoice, from `/invoices/invoices`.
public struct Invoice: Decodable, Sendable, Equatable {
    public var id: Int
    /// Our own deterministic number when we created it.
    public var invoiceNumber: String
    /// The client (`customerid`, not `clientid`: digest A9.8).
    public var customerID: Int
    public var createDate: String?
    public var dueDate: String?
    public var currencyCode: String
    public var amount: MoneyObject?
    public var outstanding: MoneyObject?
    public var paid: MoneyObject?
    /// 1 draft, 2 sent, 3 viewed, 4 paid, 8 partial…
    public var status: Int
    /// `draft`, `sent`, `viewed`, `partial`, `paid`, `overdue`…
    public var v3Status: String
    public var paymentStatus: String?
    /// How the invoice's automatic card charge went; nil when it is not autobilled.
    public var autobillStatus: AutobillStatus?
    public var poNumber: String?
    public var notes: String?
    public var terms: String?
    /// Present only when read with `include[]=lines`.
    public var lines: [InvoiceLine]?
    public var updated: Date?
    public var visState: Int

    /// True while FreshBooks still lets the invoice change silently (not yet sent).
    public var isDraft: Bool { status == 1 || v3Status == "draft" }

    enum CodingKeys: String, CodingKey {
        case id, invoice_number, customerid, create_date, due_date, currency_code, amount, outstanding, paid, status, v3_status, payment_status, autobill_status
        case po_number, notes, terms, lines, updated, vis_state
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        invoiceNumber = try container.decodeIfPresent(String.self, forKey: .invoice_number) ?? ""
        customerID = try container.decode(Int.self, forKey: .customerid)
        createDate = try container.decodeIfPresent(String.self, forKey: .create_date)
        dueDate = try container.decodeIfPresent(String.self, forKey: .due_date)
        currencyCode = try container.decodeIfPresent(String.self, forKey: .currency_code) ?? "USD"
        amount = try container.decodeIfPresent(MoneyObject.self, forKey: .amount)
        outstanding = try container.decodeIfPresent(MoneyObject.self, forKey: .outstanding)
        paid = try container.decodeIfPresent(MoneyObject.self, forKey: .paid)
        status = try container.decodeIfPresent(Int.self, forKey: .status) ?? 1
        v3Status = try container.decodeIfPresent(String.self, forKey: .v3_status) ?? "draft"
        paymentStatus = try container.decodeIfPresent(String.self, forKey: .payment_status)
        autobillStatus = AutobillStatus(field: try container.decodeIfPresent(String.self, forKey: .autobill_status))
        poNumber = try container.decodeIfPresent(String.self, forKey: .po_number)
        notes = try container.decodeIfPresent(String.self, forKey: .notes)
        terms = try container.decodeIfPresent(String.self, forKey: .terms)
        lines = try container.decodeIfPresent([InvoiceLine].self, forKey: .lines)
        updated = try EasternTimestamp.decodeIfPresent(container, .updated)
        visState = try container.decodeIfPresent(Int.self, forKey: .vis_state) ?? 0
    }
}

/// How an invoice's automatic card charge went: `autobill_status` is one of `retry`, `failed`
/// or `success` (Node SDK `models/Invoices.ts`; digest A6). It is FreshBooks' only published
/// signal of a failed payment: a declined charge records no payment, it marks the invoice.
public enum AutobillStatus: String, Sendable, Codable, CaseIterable {
    case retry, failed, success

    /// Reads the field: any case, trimmed; nil when absent, empty or not a published value.
    public init?(field: String?) {
        guard let text = field?.trimmingCharacters(in: .whitespaces).lowercased(), let status = AutobillStatus(rawValue: text) else { return nil }
        self = status
    }
}

/// One invoice line: quantity and unit cost as exact decimals.
public struct InvoiceLine: Codable, Sendable, Equatable {
    /// Assigned by FreshBooks.
    public var lineID: Int?
    /// 0 normal, 1 rebilled expense.
    public var type: Int
    public var name: String
    public var description: String?
    public var quantity: Decimal
    public var unitCost: MoneyObject
    /// Computed by FreshBooks; not sent.
    public var amount: MoneyObject?
    public var expenseID: Int?

    /// Creates a line to send.
    public init(name: String, description: String? = nil, quantity: Decimal, unitCost: Money, type: Int = 0, expenseID: Int? = nil) {
        self.lineID = nil
        self.type = type
        self.name = name
        self.description = description
        self.quantity = quantity
        self.unitCost = MoneyObject(unitCost)
        self.amount = nil
        self.expenseID = expenseID
    }

    enum CodingKeys: String, CodingKey {
        case lineid, type, name, description, qty, unit_cost, amount, expenseid
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lineID = try container.decodeIfPresent(Int.self, forKey: .lineid)
        type = try container.decodeIfPresent(Int.self, forKey: .type) ?? 0
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        description = try container.decodeIfPresent(String.self, forKey: .description)
        quantity = try FlexibleDecimal.decodeIfPresent(container, .qty) ?? 1
        unitCost = try container.decode(MoneyObject.self, forKey: .unit_cost)
        amount = try container.decodeIfPresent(MoneyObject.self, forKey: .amount)
        expenseID = try container.decodeIfPresent(Int.self, forKey: .expenseid)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(Money.string(quantity), forKey: .qty)
        try container.encode(unitCost, forKey: .unit_cost)
        try container.encodeIfPresent(expenseID, forKey: .expenseid)
    }
}

/// What `create-invoice` sends. New invoices are drafts (digest A6).
public struct InvoiceDraft: Encodable, Sendable, Equatable {
    /// The client.
    public var customerID: Int
    /// Our own deterministic number: the idempotency key of the create.
    public var invoiceNumber: String
    public var currencyCode: String
    public var createDate: String?
    public var dueOffsetDays: Int?
    public var poNumber: String?
    public var notes: String?
    public var terms: String?
    public var lines: [InvoiceLine]

    /// Creates a draft.
    public init(customerID: Int, invoiceNumber: String, currencyCode: String, createDate: String? = nil, dueOffsetDays: Int? = nil, poNumber: String? = nil,
                notes: String? = nil, terms: String? = nil, lines: [InvoiceLine]) {
        self.customerID = customerID
        self.invoiceNumber = invoiceNumber
        self.currencyCode = currencyCode
        self.createDate = createDate
        self.dueOffsetDays = dueOffsetDays
        self.poNumber = poNumber
        self.notes = notes
        self.terms = terms
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case customerID = "customerid", invoiceNumber = "invoice_number", currencyCode = "currency_code", createDate = "create_date"
        case dueOffsetDays = "due_offset_days", poNumber = "po_number", notes, terms, lines
    }
}
