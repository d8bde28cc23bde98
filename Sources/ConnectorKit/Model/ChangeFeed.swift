import Foundation

/// A vendor's list of recent changes, read from a watermark: the backstop behind webhooks.
///
/// The cursor is the feed's own text (a day plus the versions already seen, a sync token…);
/// the engine stores it in the same transaction as the jobs the page produced.
public protocol ChangeFeed: Sendable {
    /// The feed's name in the cursor table (`invoices`, `project:123`).
    var name: String { get }

    /// Reads changes after `cursor` (nil: from the beginning of the backstop window).
    func poll(cursor: String?, now: Date) async throws -> FeedPage
}

/// What one poll found.
public struct FeedPage: Sendable {
    /// Changes not seen before.
    public var events: [ChangeEvent]
    /// The cursor to store for the next poll.
    public var cursor: String

    /// Creates a page.
    public init(events: [ChangeEvent], cursor: String) {
        self.events = events
        self.cursor = cursor
    }
}
