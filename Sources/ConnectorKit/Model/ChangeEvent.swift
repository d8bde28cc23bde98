import Foundation

/// One change in an external system, as learnt from a webhook delivery or a poll.
///
/// An event carries a reference and, when the feed listed the whole record, a snapshot of it
/// as read (`snapshot`), so the job that handles it starts from what was already read instead of
/// fetching it again; thin webhook events carry none and the job reads the record.
public struct ChangeEvent: Codable, Sendable, Equatable {
    /// What happened to the record.
    public enum Action: String, Codable, Sendable {
        case created, updated, deleted, completed, other
    }

    /// Identifies this change for de-duplication (vendor event id, or a digest of the delivery).
    public var eventID: String
    /// The record that changed.
    public var ref: ExternalRef
    /// What happened to it.
    public var action: Action
    /// When the vendor says it happened, if it says.
    public var occurredAt: Date?
    /// The connection the event belongs to, when the route or payload names it.
    public var connectionID: String?
    /// The vendor's account id in the payload (FreshBooks account_id, QBO realmId) used to route
    /// deliveries of a shared endpoint to a connection.
    public var accountRef: String?
    /// The parent the record sits in (the project of a task…), when known.
    public var parent: ExternalRef?
    /// The vendor's event name (`invoice.update`, `changed`), for the audit trail.
    public var vendorEvent: String?
    /// The record as the feed read it: the vendor's JSON, nil for a thin event.
    public var snapshot: String?
    /// When the feed read `snapshot`.
    public var snapshotAt: Date?
    /// Set on every event of a re-read of a parent's records (a first poll's crawl of a project,
    /// or the re-read after an expired sync token): the parent. The parent's own event in the
    /// same page (`ref == resyncOf`) stands for the whole re-read: an integration that
    /// reconciles the parent as a whole acts on that one event and passes the records' events
    /// over, so a re-read of N records asks for one reconciliation, not N racing ones.
    public var resyncOf: ExternalRef?

    /// Whether this is the event that stands for a re-read of its own records (`resyncOf`).
    public var standsForResync: Bool { resyncOf == ref }

    /// Creates a change event.
    public init(
        eventID: String,
        ref: ExternalRef,
        action: Action,
        occurredAt: Date? = nil,
        connectionID: String? = nil,
        accountRef: String? = nil,
        parent: ExternalRef? = nil,
        vendorEvent: String? = nil,
        snapshot: String? = nil,
        snapshotAt: Date? = nil,
        resyncOf: ExternalRef? = nil
    ) {
        self.eventID = eventID
        self.ref = ref
        self.action = action
        self.occurredAt = occurredAt
        self.connectionID = connectionID
        self.accountRef = accountRef
        self.parent = parent
        self.vendorEvent = vendorEvent
        self.snapshot = snapshot
        self.snapshotAt = snapshotAt
        self.resyncOf = resyncOf
    }
}

/// Where a trigger came from, for counting and the audit trail.
public enum TriggerSource: String, Codable, Sendable {
    case webhook, poll, manual, replay, schedule
}
