import ConnectorKit
import Flows
import Foundation
import FreshBooks
import Testing

/// The failure-episode rule: one "Payment Failed" issue per failed autobill, however often it is read.
@Suite struct FreshBooksJiraAutobillTests {
    typealias Episode = FreshBooksJiraAutobill.Episode

    @Test(arguments: [
        // (status now, episodes so far) → step
        (AutobillStatus.failed, [Episode](), FreshBooksJiraAutobill.Step.open(1)),
        (.failed, [Episode(number: 1, over: false)], .stillOpen(1)),
        (.failed, [Episode(number: 1, over: true)], .open(2)),
        (.failed, [Episode(number: 1, over: true), Episode(number: 2, over: false)], .stillOpen(2)),
        (.failed, [Episode(number: 2, over: true), Episode(number: 1, over: true)], .open(3)),
        (.retry, [Episode(number: 1, over: false)], .close(1)),
        (.success, [Episode(number: 1, over: false)], .close(1)),
        (.success, [Episode(number: 1, over: true), Episode(number: 2, over: false)], .close(2)),
        (.retry, [], .none),
        (.success, [], .none),
        (.retry, [Episode(number: 1, over: true)], .none),
    ] as [(AutobillStatus?, [Episode], FreshBooksJiraAutobill.Step)])
    func statusStepsTheEpisodes(_ status: AutobillStatus?, _ episodes: [Episode], _ expected: FreshBooksJiraAutobill.Step) {
        #expect(FreshBooksJiraAutobill.step(status: status, episodes: episodes) == expected)
    }

    @Test func absentOrUnknownStatusChangesNothing() {
        #expect(FreshBooksJiraAutobill.step(status: nil, episodes: []) == .none)
        #expect(FreshBooksJiraAutobill.step(status: nil, episodes: [Episode(number: 1, over: false)]) == .none, "only a published retry or success closes")
        #expect(AutobillStatus(field: " FAILED ") == .failed)
        #expect(AutobillStatus(field: "declined") == nil, "not a published value")
        #expect(AutobillStatus(field: nil) == nil)
    }

    @Test func readsOfOneFailureMakeOneIssueAndALaterFailureAnother() {
        // Webhook, poll, replay of the failure; then retry; then it fails again, read twice.
        var episodes: [Episode] = []
        var opened: [Int] = []
        for status in [AutobillStatus.failed, .failed, .failed, .retry, .retry, .failed, .failed, .success, .failed] {
            switch FreshBooksJiraAutobill.step(status: status, episodes: episodes) {
            case .open(let number):
                opened.append(number)
                episodes.append(Episode(number: number, over: false))
            case .close(let number):
                episodes = episodes.map { $0.number == number ? Episode(number: number, over: true) : $0 }
            case .stillOpen, .none:
                break
            }
        }
        #expect(opened == [1, 2, 3])
    }

    @Test(arguments: [
        (Episode(number: 1, over: false), "payment_failed#1"),
        (Episode(number: 12, over: true), "payment_failed#12 over"),
    ])
    func linkHashRecordsTheEpisode(_ episode: Episode, _ hash: String) {
        #expect(FreshBooksJiraAutobill.linkHash(episode) == hash)
        #expect(FreshBooksJiraAutobill.episode(linkHash: hash) == episode)
    }

    @Test(arguments: ["invoice", "payment_failed", "payment_failed#0", "payment_failed#1 closed", "payment_failed#-1", "payment_failed#99999999999"])
    func otherHashesAreNoEpisode(_ hash: String) {
        #expect(FreshBooksJiraAutobill.episode(linkHash: hash) == nil)
    }

    @Test func eachEpisodeHasItsOwnKeyAndNumber() {
        let usd = try! CurrencyCode("USD")
        func record(_ episode: Int?) -> FreshBooksJiraMapping.FinanceRecord {
            .init(kind: .payment_failed, source: ExternalRef(.freshbooks, "invoice", "42"), number: FreshBooksJiraAutobill.number(invoice: "INV-1", episode: episode ?? 1),
                  amount: Money(600, usd), counterparty: "Acme", email: nil, date: nil, clientID: nil, episode: episode)
        }
        #expect(FreshBooksJiraMapping.issueKey(accountID: "AB12", record: record(1)) == "fb-AB12-invoice-42-payment_failed-1")
        #expect(FreshBooksJiraMapping.issueKey(accountID: "AB12", record: record(2)) == "fb-AB12-invoice-42-payment_failed-2")
        #expect(FreshBooksJiraMapping.issueKey(accountID: "AB12", record: record(nil)) == "fb-AB12-invoice-42-payment_failed")
        #expect(FreshBooksJiraMapping.summary(record(2)) == "Payment failed autobill of invoice INV-1 (failure 2) · 600.00 USD · Acme")
    }
}
