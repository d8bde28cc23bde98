import ConnectorKit
import Foundation

/// Everything ml-connector keeps: connections and their sealed credentials, integrations,
/// links, watermarks, the webhook inbox, the job queue, dead letters, the audit trail and
/// webhook subscriptions. SQLite and PostgreSQL implement it and pass one test suite.
public protocol Store: CredentialSource {
    // MARK: Schema
    /// Applies missing migrations; returns the versions applied.
    @discardableResult func migrate() async throws -> [Int]
    /// The schema version of the database and the newest this build knows.
    func schemaVersion() async throws -> (database: Int, known: Int)

    // MARK: Connections and credentials
    /// Stores a new connection with its credential sealed in the vault.
    func addConnection(_ connection: Connection, credential: Credential) async throws
    /// A connection by id.
    func connection(id: String) async throws -> Connection?
    /// The connection of `system` whose vendor account id is `accountRef`.
    func connection(system: SystemKind, accountRef: String) async throws -> Connection?
    /// Connections, optionally of one tenant.
    func connections(tenant: String?) async throws -> [Connection]
    /// Replaces a connection's description.
    func updateConnection(_ connection: Connection) async throws
    /// Removes a connection, its credential and its subscriptions; refused while an
    /// integration uses it.
    func removeConnection(id: String) async throws
    /// Replaces a connection's credential (reconnect); returns the new version.
    @discardableResult func saveCredential(_ credential: Credential, for connectionID: String) async throws -> Int64
    /// Re-seals every secret under the vault's active key; returns how many were re-sealed.
    func resealSecrets() async throws -> Int
    /// The master key ids that sealed the stored secrets, with counts.
    func sealingKeys() async throws -> [String: Int]

    // MARK: Integrations
    /// Creates or replaces an integration.
    func saveIntegration(_ integration: IntegrationRecord) async throws
    /// An integration by id.
    func integration(id: String) async throws -> IntegrationRecord?
    /// Integrations, optionally of one tenant.
    func integrations(tenant: String?) async throws -> [IntegrationRecord]
    /// Integrations that use a connection.
    func integrations(usingConnection connectionID: String) async throws -> [IntegrationRecord]
    /// Pauses or resumes an integration.
    func setIntegrationState(id: String, state: IntegrationState) async throws
    /// Removes an integration (its links and audit history stay).
    func removeIntegration(id: String) async throws

    // MARK: Links and cursors
    /// Links made from a source record.
    func links(integrationID: String, source: ExternalRef) async throws -> [Link]
    /// Links that point at a target record.
    func links(integrationID: String, target: ExternalRef) async throws -> [Link]
    /// All links of an integration.
    func links(integrationID: String) async throws -> [Link]
    /// A watermark.
    func cursor(connectionID: String, feed: String) async throws -> String?
    /// Applies writes atomically (cursor advance with its enqueues, links…).
    func apply(_ writes: [StoreWrite]) async throws

    // MARK: Inbox
    /// Records webhook changes, dropping those already received, and enqueues the jobs of the
    /// new ones in the same transaction; returns the items that were new.
    func ingest(_ items: [InboxItem]) async throws -> [InboxItem]

    // MARK: Jobs
    /// Adds a job, or merges it into a pending job with the same coalescing key.
    @discardableResult func enqueue(_ request: JobRequest) async throws -> EnqueueResult
    /// Claims up to `limit` due jobs of `kinds` (and jobs whose lease ran out) for `worker`.
    func claimJobs(worker: String, kinds: Set<String>, limit: Int, lease: Duration, now: Date) async throws -> [JobClaim]
    /// Extends a lease; false when the claim was lost.
    func heartbeat(_ claim: JobClaim, lease: Duration, now: Date) async throws -> Bool
    /// Finishes many jobs in one transaction, each as `completeJob` would; a completion whose
    /// claim is stale gets `leaseLost` and has nothing written. Throws, storing none, when the
    /// transaction fails.
    func completeJobs(_ completions: [JobCompletion]) async throws -> [StoreError?]
    /// Schedules another attempt.
    func retryJob(_ claim: JobClaim, at runAt: Date, error: String, audit: AuditEntry) async throws
    /// Moves a job to dead letters.
    func deadLetterJob(_ claim: JobClaim, error: String, errorKind: String, audit: AuditEntry) async throws -> DeadLetter
    /// Puts a claimed job back, not counting the attempt (graceful shutdown).
    func releaseJob(_ claim: JobClaim) async throws
    /// A job by id.
    func job(id: String) async throws -> JobRecord?
    /// Jobs, newest first.
    func jobs(state: JobState?, integrationID: String?, limit: Int) async throws -> [JobRecord]
    /// How many jobs are in each state.
    func jobCounts() async throws -> [JobState: Int]
    /// Runs a dead letter, or any past job, again as a new job; returns the new job id.
    func replay(id: String, now: Date) async throws -> String

    // MARK: Intents
    /// Records the intent to cause the effect `key` of `integrationID` before an uncertain
    /// vendor write, in its own transaction and fenced by `claim` (`leaseLost` once the claim
    /// is stale). Returns what an earlier attempt, merged job or replay left under the key, or
    /// nil when this is the first; an open record means the effect may exist: look it up.
    func beginIntent(integrationID: String, key: String, claim: JobClaim?, aim: String?, now: Date) async throws -> IntentRecord?
    /// An intent by key.
    func intent(integrationID: String, key: String) async throws -> IntentRecord?

    // MARK: Failing schedules
    /// Recurring jobs whose runs are failing, and since when (optionally of one connection).
    func failingSchedules(connectionID: String?) async throws -> [FailingSchedule]

    // MARK: Dead letters
    /// Dead letters, newest first.
    func deadLetters(tenant: String?, includeReplayed: Bool, limit: Int) async throws -> [DeadLetter]
    /// A dead letter by id (or by the id of its job).
    func deadLetter(id: String) async throws -> DeadLetter?

    // MARK: Audit
    /// Appends an entry.
    func appendAudit(_ entry: AuditEntry) async throws
    /// Entries matching a filter, newest first.
    func auditEntries(_ filter: AuditFilter) async throws -> [AuditEntry]

    // MARK: Webhook subscriptions
    /// Stores a subscription, with its shared secret sealed when given.
    func saveSubscription(_ subscription: WebhookSubscription, secret: String?) async throws
    /// Seals a new secret on a subscription and sets its status, touching nothing else.
    func setSubscriptionSecret(id: String, secret: String, status: SubscriptionStatus) async throws
    /// Sets a subscription's status (and, when given, the vendor's id), touching nothing else:
    /// the ingress, upkeep and confirmation jobs change one row concurrently.
    func updateSubscription(id: String, status: SubscriptionStatus?, externalID: String?) async throws
    /// Notes a heartbeat (an empty delivery) on a subscription.
    func recordHeartbeat(id: String, at: Date) async throws
    /// A subscription by id.
    func subscription(id: String) async throws -> WebhookSubscription?
    /// A subscription's secret, opened.
    func subscriptionSecret(id: String) async throws -> String?
    /// Subscriptions, optionally of one connection.
    func subscriptions(connectionID: String?) async throws -> [WebhookSubscription]
    /// Every subscription not deleted, with its confirmed secret opened, in one read: what the
    /// webhook ingress holds in memory.
    func liveSubscriptionsWithSecrets() async throws -> [(subscription: WebhookSubscription, secret: String?)]
    /// Removes a subscription.
    func removeSubscription(id: String) async throws

    // MARK: Webhook handshakes
    /// Seals `secret` as the confirmed secret of a *pending* subscription and activates it, in
    /// one conditional update; false when the subscription is not pending (a forged or late
    /// handshake), so two racing handshakes cannot both win.
    func completeHandshake(id: String, secret: String) async throws -> Bool
    /// Keeps `secret` as an untrusted candidate for a pending or failing subscription that was
    /// registered (or had its verification re-requested) at or after `registeredSince`; false
    /// when no such subscription exists. The confirmed secret is not touched.
    func offerCandidateSecret(id: String, secret: String, registeredSince: Date) async throws -> Bool
    /// The candidate secret waiting for the vendor's confirmation, opened.
    func candidateSecret(id: String) async throws -> String?
    /// Promotes `candidate` to the confirmed secret and activates the subscription when the
    /// vendor `confirmed` it, or discards it; false when `candidate` is no longer the candidate.
    func resolveCandidateSecret(id: String, candidate: String, confirmed: Bool) async throws -> Bool
    /// Grows with every change this process makes to webhook subscriptions, so an in-memory
    /// copy knows to re-read without asking the database.
    var subscriptionChangeCount: Int { get }

    // MARK: Retention
    /// Deletes up to `limit` records of `target` older than `cutoff`; returns how many went.
    func prune(_ target: RetentionTarget, olderThan cutoff: Date, limit: Int) async throws -> Int
    /// Deletes a dead letter (by its id or its job's id) that will not be replayed; returns it.
    func discardDeadLetter(id: String) async throws -> DeadLetter

    // MARK: Lifecycle
    /// True when the database answers.
    func ping() async -> Bool
    /// Closes the database.
    func close() async
}

extension Store {
    /// Finishes a job with its writes and audit entry (a batch of one); throws `leaseLost` if
    /// the claim is stale.
    public func completeJob(_ claim: JobClaim, writes: [StoreWrite], audit: AuditEntry, now: Date) async throws {
        if let refused = try await completeJobs([JobCompletion(claim: claim, writes: writes, audit: audit, now: now)]).first ?? nil {
            throw refused
        }
    }
}
