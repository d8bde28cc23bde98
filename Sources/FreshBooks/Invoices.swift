import ConnectorKit
import Foundation

extension FreshBooksClient {
    /// Invoices matching `search`, every page; with their lines when `lines` is true.
    public func invoices(_ search: AccountingSearch = AccountingSearch(), lines: Bool = false) throws -> Paged<Invoice> {
        try accountingList("invoices/invoices", Invoice.self, query: search.query(clientField: "customerid") + (lines ? [("include[]", "lines")] : []))
    }

    /// One invoice with its lines (lines come only with `include[]=lines`, digest A9.6).
    public func invoice(id: Int) async throws -> Invoice {
        try await accountingGet("invoices/invoices", id: id, query: [("include[]", "lines")], as: Invoice.self)
    }

    /// The invoice carrying our number, if it exists.
    public func invoice(number: String) async throws -> Invoice? {
        try await invoices(AccountingSearch(invoiceNumber: number), lines: true).collect().first { $0.invoiceNumber == number }
    }

    /// Creates a draft invoice exactly once for its number.
    ///
    /// FreshBooks has no idempotency key, so our own `invoice_number` is the key: when an earlier
    /// attempt may have reached FreshBooks (`previousAttemptUncertain`), or this one fails after
    /// it may have, the number is searched before anything is created again. A 409 is re-read
    /// the same way (digest A4: 409 is a concurrent modification).
    public func createInvoice(_ draft: InvoiceDraft, previousAttemptUncertain: Bool) async throws -> Invoice {
        if previousAttemptUncertain, let existing = try await invoice(number: draft.invoiceNumber) {
            return existing
        }
        do {
            // No pipeline idempotency key: FreshBooks honours none and does not enforce unique
            // numbers (digest E1), so a lost POST must never be re-sent blindly — the number
            // lookup below is the guard.
            return try await accountingWrite(.post, "invoices/invoices", name: "invoice", body: draft, as: Invoice.self)
        } catch let error as ConnectorError where error.mayHaveBeenApplied {
            if let existing = try await invoice(number: draft.invoiceNumber) { return existing }
            throw error
        }
    }

    /// Replaces an invoice's lines (a PUT with lines replaces the whole set, digest A6).
    public func replaceInvoiceLines(id: Int, lines: [InvoiceLine]) async throws -> Invoice {
        try await accountingWrite(.put, "invoices/invoices", id: id, name: "invoice", body: ["lines": lines], as: Invoice.self)
    }

    /// Marks a draft as sent without emailing it (`action_mark_as_sent`).
    public func markInvoiceSent(id: Int) async throws -> Invoice {
        try await accountingWrite(.put, "invoices/invoices", id: id, name: "invoice", body: ["action_mark_as_sent": true], as: Invoice.self)
    }
}

