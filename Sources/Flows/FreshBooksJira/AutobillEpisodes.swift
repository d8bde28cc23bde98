import FreshBooks

/// The pure rule that turns an invoice's `autobill_status` into "Payment Failed" issues: one
/// issue per failure episode. FreshBooks publishes no failed payment (a declined charge records
/// none) and no attempt id or date, only the invoice's current `autobill_status`; so an episode
/// is counted by us, in the links from the invoice to its failure issues, whose hash says the
/// episode's number and whether it is over.
///
/// | latest episode | status now       | step                               |
/// |----------------|------------------|------------------------------------|
/// | none or over   | `failed`         | open episode latest + 1 (an issue) |
/// | open `n`       | `failed`         | still `n`: nothing new             |
/// | open `n`       | `retry`/`success`| close `n`                          |
/// | none or over   | `retry`/`success`| nothing                            |
/// | any            | absent/unknown   | nothing (only a published value closes) |
///
/// A webhook and the poll, or a replay, reading the same failure find episode `n` open and add
/// nothing; a failure after a `retry` or `success` was seen is a new episode. A `retry` both
/// sent and overtaken between two reads (webhooks dropped) is not seen: the two failures are
/// one episode. The number is the intent's key, so an uncertain create is looked up under it.
public enum FreshBooksJiraAutobill {
    /// One failure episode of an invoice, as its link records it.
    public struct Episode: Sendable, Equatable {
        /// 1 for the invoice's first failure.
        public var number: Int
        /// A `retry` or `success` was seen after it.
        public var over: Bool

        /// Describes an episode.
        public init(number: Int, over: Bool) {
            self.number = number
            self.over = over
        }
    }

    /// What a read of the invoice does to its episodes.
    public enum Step: Sendable, Equatable {
        /// A new failure: make the issue of this episode.
        case open(Int)
        /// The failure already has its issue.
        case stillOpen(Int)
        /// The failure is behind: mark this episode over.
        case close(Int)
        /// Nothing to do.
        case none
    }

    /// The step the invoice's current status takes (the table above).
    public static func step(status: AutobillStatus?, episodes: [Episode]) -> Step {
        let latest = episodes.max { $0.number < $1.number }
        switch (status, latest) {
        case (.failed?, let latest?) where !latest.over: return .stillOpen(latest.number)
        case (.failed?, let latest): return .open((latest?.number ?? 0) + 1)
        case (.retry?, let latest?) where !latest.over, (.success?, let latest?) where !latest.over: return .close(latest.number)
        default: return .none
        }
    }

    /// The hash of the link from an invoice to an episode's issue: `payment_failed#2`, with ` over` once it is.
    public static func linkHash(_ episode: Episode) -> String {
        "\(FreshBooksJiraMapping.FinanceKind.payment_failed.rawValue)#\(episode.number)" + (episode.over ? " over" : "")
    }

    /// The episode a link hash records; nil for any other link (the invoice's own issue).
    public static func episode(linkHash: String) -> Episode? {
        guard let match = linkHash.wholeMatch(of: #/payment_failed#([1-9][0-9]{0,8})( over)?/#), let number = Int(match.1) else { return nil }
        return Episode(number: number, over: match.2 != nil)
    }
}

extension FreshBooksJiraAutobill {
    /// How a failure is numbered in its issue: `autobill of invoice INV-1001`, then `… (failure 2)`.
    public static func number(invoice: String, episode: Int) -> String {
        "autobill of invoice \(invoice)" + (episode > 1 ? " (failure \(episode))" : "")
    }
}
