import Foundation

/// A webhook subscription we want a vendor to keep: what it watches (a FreshBooks event name,
/// an Asana resource gid) and, where the vendor filters, which changes (`project-tasks`).
public struct WantedSubscription: Codable, Sendable, Hashable {
    /// What the subscription watches.
    public var resource: String
    /// A vendor-specific filter name, when the vendor takes filters.
    public var filter: String?

    /// Describes a wanted subscription.
    public init(resource: String, filter: String? = nil) {
        self.resource = resource
        self.filter = filter
    }
}

/// A subscription as the vendor lists it.
public struct VendorSubscription: Sendable, Equatable {
    /// The vendor's id of the subscription.
    public var id: String
    /// What it watches.
    public var resource: String
    /// The URL the vendor delivers to.
    public var target: String
    /// Whether the vendor considers it verified and live.
    public var verified: Bool
    /// When the vendor drops it unless renewed (Jira dynamic webhooks: 30 days); nil: never.
    public var expiresAt: Date?
    /// The secret deliveries are signed with, when known at creation rather than by a handshake
    /// (a secret we chose, or the app's client secret); stored as the subscription's secret.
    public var signingSecret: String?

    /// Describes a vendor subscription.
    public init(id: String, resource: String, target: String, verified: Bool, expiresAt: Date? = nil, signingSecret: String? = nil) {
        self.id = id
        self.resource = resource
        self.target = target
        self.verified = verified
        self.expiresAt = expiresAt
        self.signingSecret = signingSecret
    }
}

/// A vendor's webhook subscription calls, the same four for every system, so one upkeep job
/// drives them all from a `SubscriptionPlan`.
public protocol WebhookSubscriptionAPI: Sendable {
    /// Every subscription the connection holds at the vendor.
    func list() async throws -> [VendorSubscription]
    /// Creates one that delivers to `target`. A vendor that handshakes synchronously (Asana)
    /// answers `verified: true` once the handshake passed.
    func create(_ wanted: WantedSubscription, target: String) async throws -> VendorSubscription
    /// Sends a verifier back to the vendor (FreshBooks); false when the vendor refused it.
    func confirm(id: String, secret: String) async throws -> Bool
    /// Asks the vendor to verify an unverified subscription again.
    func resendVerification(id: String) async throws
    /// Removes one.
    func delete(id: String) async throws
    /// Extends the life of expiring subscriptions (Jira's `PUT /webhook/refresh`).
    func renew(ids: [String]) async throws
}

extension WebhookSubscriptionAPI {
    /// Vendors whose subscriptions never expire have nothing to renew.
    public func renew(ids: [String]) async throws {}
}

/// How a vendor's webhooks live, for the shared upkeep.
public struct SubscriptionFacts: Sendable {
    /// How long a live subscription may go without a heartbeat or delivery before it is
    /// re-created (Asana heartbeats every 8 hours); nil when the vendor sends none.
    public var heartbeatGrace: Duration?
    /// Whether an unverified subscription can be asked to verify again (FreshBooks).
    public var canResendVerification: Bool
    /// How long a verification asked for may take before it is asked for again.
    public var verificationGrace: Duration
    /// Subscriptions expiring within this span are renewed (Jira: well before 30 days); nil: no expiry.
    public var renewWithin: Duration?

    /// Describes the facts.
    public init(heartbeatGrace: Duration? = nil, canResendVerification: Bool = false, verificationGrace: Duration = .seconds(15 * 60), renewWithin: Duration? = nil) {
        self.heartbeatGrace = heartbeatGrace
        self.canResendVerification = canResendVerification
        self.verificationGrace = verificationGrace
        self.renewWithin = renewWithin
    }
}
