import ConnectorKit
import Engine
import FreshBooks
import Jira
import Store

extension FreshBooksJiraSession {
    /// An invoice changed (created, sent, paid, autobilled): its own issue is made once, and its
    /// `autobill_status` opens or closes a failure episode (`FreshBooksJiraAutobill`); a newly
    /// failed autobill becomes one "Payment Failed" issue, under the episode's key.
    func invoiceChanged(ref: ExternalRef, id: Int, event: ChangeEvent) async throws -> JobOutcome {
        let invoice = try await read(FreshBooks.Invoice.self, event: event) { try await freshbooks.invoice(id: id) }
        guard invoice.visState != 1, let total = invoice.amount else {
            return JobOutcome(sourceRef: ref.description, unchanged: true, action: "ignored: invoice \(id) is deleted in FreshBooks")
        }
        let client = try await freshbooks.client(id: invoice.customerID)
        let email = FreshBooksJiraMapping.reporterEmail(kind: .invoice, counterparty: client.email, staff: nil)
        // One read of the invoice's links: its own issue's and every episode's.
        let made = try await links(from: ref)
        var outcome = try await ensureIssue(for: .init(kind: .invoice, source: ref, number: invoice.invoiceNumber, amount: try total.money(fallbackCurrency: invoice.currencyCode),
                                                       counterparty: Self.name(client), email: email, date: invoice.createDate, clientID: client.id), made: made)
        let episodes = made.compactMap { link in FreshBooksJiraAutobill.episode(linkHash: link.contentHash).map { (link, $0) } }
        switch FreshBooksJiraAutobill.step(status: invoice.autobillStatus, episodes: episodes.map(\.1)) {
        case .open(let number):
            // What the declined charge tried to collect: the outstanding amount.
            let due = invoice.outstanding.flatMap { $0.amount > 0 ? $0 : nil } ?? total
            let failure = FreshBooksJiraMapping.FinanceRecord(kind: .payment_failed, source: ref, number: FreshBooksJiraAutobill.number(invoice: invoice.invoiceNumber, episode: number),
                                                              amount: try due.money(fallbackCurrency: invoice.currencyCode), counterparty: Self.name(client),
                                                              email: FreshBooksJiraMapping.reporterEmail(kind: .payment_failed, counterparty: client.email, staff: nil),
                                                              date: nil, clientID: client.id, episode: number)
            let made = try await ensureIssue(for: failure, hash: FreshBooksJiraAutobill.linkHash(.init(number: number, over: false)), made: made)
            outcome = Self.joined(outcome, made)
        case .close(let number):
            guard let (link, _) = episodes.first(where: { $0.1.number == number }) else { break }
            let over = JobOutcome(writes: [newLink(ref, link.target, hash: FreshBooksJiraAutobill.linkHash(.init(number: number, over: true)), previous: link)],
                                  sourceRef: ref.description, targetRef: link.target.description,
                                  action: "failed autobill \(number) of invoice \(invoice.invoiceNumber) is over (\(invoice.autobillStatus?.rawValue ?? ""))")
            outcome = Self.joined(outcome, over)
        case .stillOpen, .none:
            break
        }
        return outcome
    }

    /// Two outcomes of one job as one: every write, both actions.
    static func joined(_ first: JobOutcome, _ second: JobOutcome) -> JobOutcome {
        return JobOutcome(writes: first.writes + second.writes, sourceRef: first.sourceRef, targetRef: first.targetRef ?? second.targetRef,
                          unchanged: first.unchanged && second.unchanged, action: [first.action, second.action].compactMap { $0 }.joined(separator: "; "))
    }
}
