import Foundation

extension FreshBooksSandbox {
    /// What the account holds now, read without a request (benchmarks count requests and check
    /// for duplicates among thousands of records): invoice numbers, client organizations and
    /// project titles, one entry per record.
    public struct Inventory: Sendable {
        /// Every invoice's `invoice_number`.
        public var invoiceNumbers: [String]
        /// Every client's `organization`.
        public var clientOrganizations: [String]
        /// Every project's `title`.
        public var projectTitles: [String]
        /// Lines over every invoice.
        public var invoiceLines: Int
        /// Every invoice, by id.
        public var invoices: [HeldInvoice]
    }

    /// An invoice as the sandbox holds it.
    public struct HeldInvoice: Sendable {
        public var id: Int
        public var number: String
        /// The total, as the API writes `amount.amount`.
        public var amount: String
        /// Each line's description.
        public var lineDescriptions: [String]
    }

    /// The account's records now.
    public var inventory: Inventory {
        world.withLockedValue { world in
            Inventory(invoiceNumbers: world.invoices.values.map { $0["invoice_number"]?.text ?? "" },
                      clientOrganizations: world.clients.values.map { $0["organization"]?.text ?? "" },
                      projectTitles: world.projects.values.map { $0["title"]?.text ?? "" },
                      invoiceLines: world.invoices.values.reduce(0) { $0 + ($1["lines"]?.array?.count ?? 0) },
                      invoices: world.invoices.sorted { $0.key < $1.key }.map { id, invoice in
                          HeldInvoice(id: id, number: invoice["invoice_number"]?.text ?? "", amount: invoice["amount"]?["amount"]?.text ?? "0",
                                      lineDescriptions: (invoice["lines"]?.array ?? []).map { $0["description"]?.text ?? "" })
                      })
        }
    }

    /// Invoices in the account now.
    public var invoiceCount: Int { world.withLockedValue { $0.invoices.count } }
}
