import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Store

/// `POST /webhooks/{system}/{subscriptionId}`: verifies the signature over the raw body before
/// anything parses it, records the changes in the inbox (dropping ones already seen), enqueues
/// one job per integration and record, and answers — all in one short transaction.
public struct WebhookIngress: Sendable {
    /// Where subscriptions, the inbox and jobs live.
    public var store: any Store
    /// Verifiers by system name: the only systems the ingress answers for and labels metrics with.
    public var verifiers: [String: any WebhookVerifier]
    /// Turns changes into jobs.
    public var router: TriggerRouter
    /// Called after new work was enqueued (wakes the workers).
    public var onEnqueued: @Sendable () -> Void
    /// Logs of deliveries.
    public var logger: Logger
    /// Subscriptions in memory, so refusals cost no database read.
    public var directory: SubscriptionDirectory
    /// Refusals, counted and audited once per subscription per minute.
    public var rejections: RejectionLedger
    /// Verified deliveries waiting to share a transaction (group commit).
    public var batcher: IngestBatcher<VerifiedChanges>
    /// How long after we register (or re-request verification of) a subscription a vendor's
    /// verifier is taken as a candidate; outside it, a verifier is a stranger's.
    public var handshakeWindow: Duration

    /// Creates the ingress.
    public init(store: any Store, verifiers: [any WebhookVerifier], router: TriggerRouter, onEnqueued: @escaping @Sendable () -> Void = {},
                logger: Logger = Logger(label: "ml-connector.webhooks"), handshakeWindow: Duration = .seconds(15 * 60)) {
        self.store = store
        self.verifiers = Dictionary(verifiers.map { ($0.system.rawValue, $0) }, uniquingKeysWith: { _, last in last })
        self.router = router
        self.onEnqueued = onEnqueued
        self.logger = logger
        self.directory = SubscriptionDirectory(store: store)
        self.rejections = RejectionLedger(store: store)
        self.handshakeWindow = handshakeWindow
        let routing = DeliveryRouting(store: store, verifiers: self.verifiers, router: router, logger: logger)
        self.batcher = IngestBatcher(store: store) { try await routing.items(for: $0) }
    }

    /// True when deliveries for `systemName` are taken (a verifier exists for it).
    public func knows(system systemName: String) -> Bool {
        verifiers[SystemKind(systemName).rawValue] != nil
    }

    /// Handles one delivery whose body has been read (within the size limit).
    public func handle(system systemName: String, subscriptionID: String, headers: HTTPHeaders, body: ByteBuffer, query: String?) async throws -> Response {
        let system = SystemKind(systemName)
        guard let verifier = verifiers[system.rawValue] else {
            // No metrics series: the label would be the sender's choice.
            return Self.json(.notFound, ["error": "no webhook verifier for this system"])
        }
        guard let cached = try await directory.entry(id: subscriptionID), cached.subscription.system == system else {
            try await rejections.record(system: system, reason: .unknownSubscription, subscription: nil, detail: "unknown subscription")
            return Self.json(.notFound, ["error": "unknown webhook subscription"])
        }
        let delivery = WebhookDelivery(system: system, subscriptionID: cached.subscription.id, headers: headers, body: body, query: query, receivedAt: Date())
        var entry = cached
        var verdict = try judge(verifier, delivery, entry)
        if case .rejected = verdict, let fresh = try await directory.recheck(id: subscriptionID) {
            // The copy may predate a secret confirmed in another process: look once more.
            entry = fresh
            verdict = try judge(verifier, delivery, entry)
        }
        let subscription = entry.subscription

        switch verdict {
        case .rejected(let reason):
            try await rejections.record(system: system, reason: reason == Self.unreadable ? .malformed : .badSignature, subscription: subscription, detail: reason)
            guard reason == Self.unreadable else { return Self.json(.unauthorized, ["error": "signature verification failed"]) }
            // A body that passed the signature but cannot be read is answered 400, so the
            // vendor's own retry and log show the problem.
            return Self.json(.badRequest, ["error": "the delivery body could not be read"])

        case .handshake(let status, let responseHeaders, let responseBody, let newSecret, let confirmWithVendor):
            if let newSecret {
                guard try await takeHandshake(newSecret, confirmWithVendor: confirmWithVendor, subscription: subscription) else {
                    try await rejections.record(system: system, reason: .unexpectedHandshake, subscription: subscription,
                                                detail: "a handshake for a subscription that is \(subscription.status.rawValue) or was not registered recently")
                    return Self.json(.unauthorized, ["error": "the subscription is not awaiting a handshake"])
                }
            }
            Telemetry.countDelivery(system: system.rawValue, outcome: "handshake")
            var response = Response(status: HTTPResponse.Status(code: status), headers: [:], body: ResponseBody(byteBuffer: ByteBuffer(string: responseBody)))
            for header in responseHeaders {
                if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
            }
            return response

        case .accepted(let events) where events.isEmpty:
            // A heartbeat: the subscription is alive.
            try await store.recordHeartbeat(id: subscription.id, at: Date())
            Telemetry.countDelivery(system: system.rawValue, outcome: "heartbeat")
            return Self.json(.ok, ["received": "0", "new": "0"])

        case .accepted(let events):
            let (fresh, total) = try await accept(events, subscription: subscription)
            Telemetry.countDelivery(system: system.rawValue, outcome: fresh == 0 && total > 0 ? "duplicate" : "accepted")
            if fresh > 0 { onEnqueued() }
            return Self.json(.ok, ["received": "\(total)", "new": "\(fresh)"])
        }
    }

    /// The reason given to a delivery whose signature matched but whose body could not be read.
    static let unreadable = "unreadable delivery"

    /// Runs the verifier with the subscription's *confirmed* secret only: a pending or failing
    /// subscription's candidate is never trusted for deliveries.
    private func judge(_ verifier: any WebhookVerifier, _ delivery: WebhookDelivery, _ entry: SubscriptionDirectory.Entry) throws -> WebhookVerdict {
        let context = WebhookSubscriptionContext(id: entry.subscription.id, connectionID: entry.subscription.connectionID, secret: entry.secret)
        do {
            return try verifier.verify(delivery, subscription: context)
        } catch {
            return .rejected(reason: Self.unreadable)
        }
    }

    /// Stores a handshake's secret. A secret the vendor confirms in this very exchange (Asana)
    /// becomes the confirmed secret if the subscription is still pending, in one conditional
    /// update; a secret the vendor must confirm in a separate call (a FreshBooks verifier) is
    /// only a candidate until that call succeeds, and only for a subscription registered in the
    /// last `handshakeWindow`.
    private func takeHandshake(_ secret: String, confirmWithVendor: Bool, subscription: WebhookSubscription) async throws -> Bool {
        guard confirmWithVendor else {
            let taken = try await store.completeHandshake(id: subscription.id, secret: secret)
            await directory.invalidate()
            return taken
        }
        let since = Date().addingTimeInterval(-handshakeWindow.timeInterval)
        guard try await store.offerCandidateSecret(id: subscription.id, secret: secret, registeredSince: since) else { return false }
        try await store.enqueue(try JobRequest(kind: SystemJobKind.webhookConfirm, tenant: subscription.tenant, connectionID: subscription.connectionID,
                                               coalesceKey: SystemJobKind.confirmKey(subscriptionID: subscription.id), payload: ["subscriptionID": subscription.id], source: .webhook))
        onEnqueued()
        return true
    }

    private func accept(_ events: [ChangeEvent], subscription: WebhookSubscription) async throws -> (fresh: Int, total: Int) {
        let fresh = try await batcher.ingest(VerifiedChanges(events: events, subscription: subscription))
        return (fresh.count, events.count)
    }

    /// One encoder for every answer: making one per request showed in the ingest profile.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        let data = (try? encoder.encode(fields)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension WebhookIngress {
    /// Reads a delivery's body within `limit` bytes and `timeout`: a sender that trickles its
    /// body is cut off rather than holding a connection and a task.
    ///
    /// - Throws: `HTTPError(.contentTooLarge)` past the limit, `HTTPError(.requestTimeout)` past the time.
    static func readBody(_ body: RequestBody, limit: Int, timeout: Duration) async throws -> ByteBuffer {
        guard let buffer = try await withTimeLimit(timeout, { try await body.collect(upTo: limit) }) else {
            throw HTTPError(.requestTimeout, message: "the body did not arrive within \(timeout.roundedUpSeconds) s")
        }
        return buffer
    }
}
