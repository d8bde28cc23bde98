import ConnectorKit
import Foundation
import NIOHTTP1

/// Filters of accounting lists (`search[…]`, digest A5).
public struct AccountingSearch: Sendable, Equatable {
    /// `search[updated_min]`: a US/Eastern day; FreshBooks compares days only.
    public var updatedSinceDay: String?
    /// `search[email]`.
    public var email: String?
    /// `search[invoice_number]`.
    public var invoiceNumber: String?
    /// `search[customerid]` (invoices) or `search[clientid]` (expenses, payments).
    public var clientID: Int?
    /// `search[v3_status]`.
    public var v3Status: String?

    /// Creates a filter; nil criteria are left out.
    public init(updatedSinceDay: String? = nil, email: String? = nil, invoiceNumber: String? = nil, clientID: Int? = nil, v3Status: String? = nil) {
        self.updatedSinceDay = updatedSinceDay
        self.email = email
        self.invoiceNumber = invoiceNumber
        self.clientID = clientID
        self.v3Status = v3Status
    }

    func query(clientField: String) -> [(String, String)] {
        var items: [(String, String)] = []
        if let updatedSinceDay { items.append(("search[updated_min]", updatedSinceDay)) }
        if let email { items.append(("search[email]", email)) }
        if let invoiceNumber { items.append(("search[invoice_number]", invoiceNumber)) }
        if let clientID { items.append(("search[\(clientField)]", "\(clientID)")) }
        if let v3Status { items.append(("search[v3_status]", v3Status)) }
        return items
    }
}

extension FreshBooksClient {
    /// Pages of at most 100 (FreshBooks caps `per_page` there silently).
    static let pageSize = 100

    func accountingList<Item: Decodable & Sendable>(_ resource: String, _ item: Item.Type, query: [(String, String)]) throws -> Paged<Item> {
        accountingPages("/accounting/account/\(try accountID())/\(resource)", query: query)
    }

    /// Every item of a list in the accounting envelope (`response.result`, with `pages`), a page at a time.
    func accountingPages<Item: Decodable & Sendable>(_ path: String, query: [(String, String)] = []) -> Paged<Item> {
        Paged.numbered { [self] page in
            let result = try await send(.GET, path, query: query + pageQuery(page), as: ResultEnvelope<AccountingPage<Item>>.self).response.result
            return (result.items, result.pages)
        }
    }

    /// Every item of a projects or time-tracking list (items beside `meta.pages`), a page at a time.
    func metaPages<Item: Decodable & Sendable>(_ path: String, query: [(String, String)] = []) -> Paged<Item> {
        Paged.numbered { [self] page in
            let result = try await send(.GET, path, query: query + pageQuery(page), as: MetaPage<Item>.self)
            return (result.items, result.meta.pages)
        }
    }

    private func pageQuery(_ page: Int) -> [(String, String)] {
        [("page", "\(page)"), ("per_page", "\(Self.pageSize)")]
    }

    func accountingGet<Item: Decodable>(_ resource: String, id: Int, query: [(String, String)] = [], as type: Item.Type) async throws -> Item {
        try await send(.GET, "/accounting/account/\(try accountID())/\(resource)/\(id)", query: query, as: ResultEnvelope<Named<Item>>.self).response.result.value
    }

    func accountingWrite<Item: Decodable>(_ method: HTTPMethodName, _ resource: String, id: Int? = nil, name: String, body: some Encodable & Sendable, idempotencyKey: String? = nil, as type: Item.Type) async throws -> Item {
        let path = "/accounting/account/\(try accountID())/\(resource)" + (id.map { "/\($0)" } ?? "")
        return try await send(method.http, path, body: [name: body], idempotencyKey: idempotencyKey, as: ResultEnvelope<Named<Item>>.self).response.result.value
    }

    // MARK: Clients

    /// Clients matching `search`, every page.
    public func clients(_ search: AccountingSearch = AccountingSearch()) throws -> Paged<Client> {
        try accountingList("users/clients", Client.self, query: search.query(clientField: "userid"))
    }

    /// One client.
    public func client(id: Int) async throws -> Client {
        try await accountingGet("users/clients", id: id, as: Client.self)
    }

    /// Creates a client.
    public func createClient(_ draft: ClientDraft) async throws -> Client {
        try await accountingWrite(.post, "users/clients", name: "client", body: draft, as: Client.self)
    }

    // MARK: Expenses and payments

    /// Expenses matching `search`, every page.
    public func expenses(_ search: AccountingSearch = AccountingSearch()) throws -> Paged<Expense> {
        try accountingList("expenses/expenses", Expense.self, query: search.query(clientField: "clientid"))
    }

    /// One expense.
    public func expense(id: Int) async throws -> Expense {
        try await accountingGet("expenses/expenses", id: id, as: Expense.self)
    }

    /// Creates an expense (billed back when it names a client and project).
    public func createExpense(_ draft: ExpenseDraft) async throws -> Expense {
        try await accountingWrite(.post, "expenses/expenses", name: "expense", body: draft, as: Expense.self)
    }

    /// Expense categories.
    public func expenseCategories() throws -> Paged<ExpenseCategory> {
        try accountingList("expenses/categories", ExpenseCategory.self, query: [])
    }

    /// Payments matching `search`, every page.
    public func payments(_ search: AccountingSearch = AccountingSearch()) throws -> Paged<Payment> {
        try accountingList("payments/payments", Payment.self, query: search.query(clientField: "clientid"))
    }

    /// One payment.
    public func payment(id: Int) async throws -> Payment {
        try await accountingGet("payments/payments", id: id, as: Payment.self)
    }
}

/// The write methods the accounting helpers use.
enum HTTPMethodName {
    case post, put

    var http: HTTPMethod { self == .post ? .POST : .PUT }
}
