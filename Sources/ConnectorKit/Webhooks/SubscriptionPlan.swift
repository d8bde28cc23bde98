import Foundation

/// A subscription as our store keeps it, reduced to what planning needs.
public struct KnownSubscription: Sendable, Equatable {
    /// Our row id; the delivery URL ends with it.
    public var id: String
    /// What it watches.
    public var resource: String
    /// The vendor's id, once known.
    public var externalID: String?
    /// Whether our row is active (verified) already.
    public var active: Bool
    /// The last sign of life: heartbeat, delivery, or creation.
    public var lastSign: Date
    /// Whether a confirmed secret is kept for it (deliveries are checked against it).
    public var hasSecret: Bool
    /// When the row last changed (a verification asked for recently is not asked for again).
    public var updatedAt: Date

    /// Describes a known subscription.
    public init(id: String, resource: String, externalID: String?, active: Bool, lastSign: Date, hasSecret: Bool = true, updatedAt: Date = .distantPast) {
        self.id = id
        self.resource = resource
        self.externalID = externalID
        self.active = active
        self.lastSign = lastSign
        self.hasSecret = hasSecret
        self.updatedAt = updatedAt
    }
}

/// What one upkeep run must do to make the vendor's subscriptions match the wanted ones.
/// Pure: computed from the wanted list, the vendor's list and our rows, so every case is a
/// table test (`SubscriptionPlanTests`).
public struct SubscriptionPlan: Sendable, Equatable {
    /// Vendor subscriptions to delete: ours but unwanted, duplicated, silent, or pointing at a
    /// row we no longer have.
    public var deleteAtVendor: [String] = []
    /// Our rows to drop: their vendor subscription is gone, or is being deleted.
    public var dropRows: [String] = []
    /// Our rows the vendor shows verified: mark active (and record the vendor id).
    public var activate: [(row: String, externalID: String)] = []
    /// Our rows whose vendor id we had not recorded (a crash between create and record).
    public var recordExternalID: [(row: String, externalID: String)] = []
    /// Vendor ids to ask for verification again (their rows go back to pending).
    public var resend: [(row: String, externalID: String)] = []
    /// Wanted subscriptions with none at the vendor: create them.
    public var create: [WantedSubscription] = []
    /// Vendor ids of kept subscriptions that expire within `SubscriptionFacts.renewWithin`.
    public var renew: [String] = []

    /// True when the run changes nothing.
    public var isEmpty: Bool {
        deleteAtVendor.isEmpty && dropRows.isEmpty && activate.isEmpty && recordExternalID.isEmpty && resend.isEmpty && create.isEmpty && renew.isEmpty
    }

    /// Plans one run. A vendor subscription is ours when its target starts with `targetPrefix`;
    /// the rest of the target is our row id. `otherConnections` are row ids this server keeps
    /// for other connections: a vendor that lists per workspace or account shows them too
    /// (two connections to one Asana workspace), and they are left alone.
    public static func plan(wanted: [WantedSubscription], vendor: [VendorSubscription], known: [KnownSubscription], otherConnections: Set<String> = [],
                            targetPrefix: String, facts: SubscriptionFacts, now: Date) -> SubscriptionPlan {
        var plan = SubscriptionPlan()
        let wantedResources = Set(wanted.map(\.resource))
        let rows = Dictionary(known.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var kept: [String: String] = [:]  // resource → row id kept
        // Verified first, so a duplicate pair keeps the one that works.
        for subscription in vendor.sorted(by: { ($0.verified ? 0 : 1, $0.id) < ($1.verified ? 0 : 1, $1.id) }) where subscription.target.hasPrefix(targetPrefix) {
            let rowID = String(subscription.target.dropFirst(targetPrefix.count))
            if otherConnections.contains(rowID) { continue }
            guard let row = rows[rowID], row.resource == subscription.resource, wantedResources.contains(subscription.resource), kept[subscription.resource] == nil else {
                plan.deleteAtVendor.append(subscription.id)
                if rows[rowID] != nil { plan.dropRows.append(rowID) }
                continue
            }
            if let grace = facts.heartbeatGrace, now.timeIntervalSince(row.lastSign) > grace.seconds {
                plan.deleteAtVendor.append(subscription.id)
                plan.dropRows.append(rowID)
                continue
            }
            if subscription.verified && !row.hasSecret {
                // Verified at the vendor but no secret here (a confirmation whose answer was
                // lost): every delivery would be refused, so make it anew.
                plan.deleteAtVendor.append(subscription.id)
                plan.dropRows.append(rowID)
                continue
            }
            kept[subscription.resource] = rowID
            if let expiresAt = subscription.expiresAt, let within = facts.renewWithin, expiresAt.timeIntervalSince(now) < within.seconds {
                plan.renew.append(subscription.id)
            }
            if subscription.verified {
                if !row.active || row.externalID != subscription.id { plan.activate.append((rowID, subscription.id)) }
            } else {
                if row.externalID != subscription.id { plan.recordExternalID.append((rowID, subscription.id)) }
                // A verification asked for recently may still be on its way: not again yet.
                if facts.canResendVerification, now.timeIntervalSince(row.updatedAt) > facts.verificationGrace.seconds { plan.resend.append((rowID, subscription.id)) }
            }
        }
        let keptRows = Set(kept.values)
        for row in known where !keptRows.contains(row.id) && !plan.dropRows.contains(row.id) {
            plan.dropRows.append(row.id)
        }
        var seen = Set<String>()
        for subscription in wanted where kept[subscription.resource] == nil && seen.insert(subscription.resource).inserted {
            plan.create.append(subscription)
        }
        return plan
    }

    public static func == (lhs: SubscriptionPlan, rhs: SubscriptionPlan) -> Bool {
        lhs.deleteAtVendor == rhs.deleteAtVendor && lhs.dropRows == rhs.dropRows && lhs.create == rhs.create && lhs.renew == rhs.renew
            && lhs.activate.map { [$0.row, $0.externalID] } == rhs.activate.map { [$0.row, $0.externalID] }
            && lhs.recordExternalID.map { [$0.row, $0.externalID] } == rhs.recordExternalID.map { [$0.row, $0.externalID] }
            && lhs.resend.map { [$0.row, $0.externalID] } == rhs.resend.map { [$0.row, $0.externalID] }
    }
}
