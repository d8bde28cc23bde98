import ConnectorKit
import Foundation

/// Whether an integration's work runs.
public enum IntegrationState: String, Codable, Sendable {
    case active, paused
}

/// A configured integration between connections.
public struct IntegrationRecord: Sendable, Codable, Equatable {
    /// Operator-chosen identifier (`agency-billing`).
    public var id: String
    public var tenant: String
    /// Which flow runs it (`freshbooks-asana`).
    public var kind: String
    /// Connection ids by role (`freshbooks: fb-acme`).
    public var connections: [String: String]
    /// The validated configuration, as JSON text.
    public var config: String
    public var state: IntegrationState
    public var createdAt: Date
    public var updatedAt: Date

    /// Creates an integration record.
    public init(id: String, tenant: String = defaultTenant, kind: String, connections: [String: String], config: String = "{}", state: IntegrationState = .active, createdAt: Date = Date(), updatedAt: Date? = nil) {
        self.id = id
        self.tenant = tenant
        self.kind = kind
        self.connections = connections
        self.config = config
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// Health of a webhook subscription at the vendor.
public enum SubscriptionStatus: String, Codable, Sendable {
    /// Created here, not yet confirmed by the vendor's handshake.
    case pending
    /// Confirmed and delivering.
    case active
    /// Heartbeats overdue or deliveries failing; upkeep will re-create it.
    case failing
    /// Gone at the vendor.
    case deleted
}

/// A webhook registration at a vendor and the path it delivers to.
public struct WebhookSubscription: Sendable, Codable, Equatable {
    /// Our id: the last path component of the delivery URL.
    public var id: String
    public var tenant: String
    public var system: SystemKind
    /// The connection it belongs to; nil for an app-wide endpoint that routes by payload.
    public var connectionID: String?
    public var integrationID: String?
    /// The vendor's id of the webhook.
    public var externalID: String?
    /// What it watches (project gid, event names…).
    public var resource: String?
    public var status: SubscriptionStatus
    public var metadata: [String: String]
    public var lastDeliveryAt: Date?
    public var lastHeartbeatAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    /// Creates a subscription description.
    public init(id: String = UUID().uuidString.lowercased(), tenant: String = defaultTenant, system: SystemKind, connectionID: String?, integrationID: String? = nil, externalID: String? = nil, resource: String? = nil, status: SubscriptionStatus = .pending, metadata: [String: String] = [:], lastDeliveryAt: Date? = nil, lastHeartbeatAt: Date? = nil, createdAt: Date = Date(), updatedAt: Date? = nil) {
        self.id = id
        self.tenant = tenant
        self.system = system
        self.connectionID = connectionID
        self.integrationID = integrationID
        self.externalID = externalID
        self.resource = resource
        self.status = status
        self.metadata = metadata
        self.lastDeliveryAt = lastDeliveryAt
        self.lastHeartbeatAt = lastHeartbeatAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// A webhook change to record in the inbox, with the jobs to enqueue if it is new.
public struct InboxItem: Sendable {
    public var system: SystemKind
    public var event: ChangeEvent
    public var subscriptionID: String?
    public var jobs: [JobRequest]

    /// Creates an inbox item.
    public init(system: SystemKind, event: ChangeEvent, subscriptionID: String?, jobs: [JobRequest]) {
        self.system = system
        self.event = event
        self.subscriptionID = subscriptionID
        self.jobs = jobs
    }
}

/// Which audit entries to list.
public struct AuditFilter: Sendable, Equatable {
    /// One entry by its id.
    public var id: Int64?
    public var tenant: String?
    public var integrationID: String?
    /// Matches the source or the target ref.
    public var ref: String?
    public var jobID: String?
    public var outcome: AuditOutcome?
    public var since: Date?
    public var until: Date?
    /// Newest first, at most this many.
    public var limit: Int

    /// Creates a filter; every criterion left nil matches all.
    public init(id: Int64? = nil, tenant: String? = nil, integrationID: String? = nil, ref: String? = nil, jobID: String? = nil, outcome: AuditOutcome? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 100) {
        self.id = id
        self.tenant = tenant
        self.integrationID = integrationID
        self.ref = ref
        self.jobID = jobID
        self.outcome = outcome
        self.since = since
        self.until = until
        self.limit = limit
    }
}
