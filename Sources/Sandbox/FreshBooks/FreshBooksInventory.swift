import Foundation

extension FreshBooksSandbox {
    /// What the account holds now, read without a request (benchmarks count requests and check
    /// for duplicates among thousands of records): invoice numbers, client organizations and
    /// project titles, one entry per record.
    public struct Inventory: Sendable {
        /// Every client's `organization`.
        public var clientOrganizations: [String]
        /// Every project's `title`.
        public var projectTitles: [String]
        /// Every invoice, by id.
        public var invoices: [HeldInvoice]

        /// Every invoice's `invoice_number`, by id.
        public var invoiceNumbers: [String] { invoices.map(\.number) }
        /// Lines over every invoice.
        public var invoiceLines: Int { invoices.reduce(0) { $0 + $1.lineDescriptions.count } }
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
            Inventory(clientOrganizations: world.clients.values.map { $0["organization"]?.text ?? "" },
                      projectTitles: world.projects.values.map { $0["title"]?.text ?? "" },
                      invoices: world.invoices.sorted { $0.key < $1.key }.map { id, invoice in
                          HeldInvoice(id: id, number: invoice["invoice_number"]?.text ?? "", amount: invoice["amount"]?["amount"]?.text ?? "0",
                                      lineDescriptions: (invoice["lines"]?.array ?? []).map { $0["description"]?.text ?? "" })
                      })
        }
    }

    /// Invoices in the account now.
    public var invoiceCount: Int { world.withLockedValue { $0.invoices.count } }
}
