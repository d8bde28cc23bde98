import ConnectorKit
import Foundation
import Metrics
import NIOConcurrencyHelpers
import Store

/// Why a delivery was refused: a closed set, so a metrics label can never be chosen by a sender.
public enum RejectionReason: String, Sendable, CaseIterable {
    /// No subscription has the id in the path.
    case unknownSubscription = "unknown_subscription"
    /// The signature is missing or does not match the confirmed secret.
    case badSignature = "bad_signature"
    /// A handshake or verifier for a subscription not awaiting one.
    case unexpectedHandshake = "unexpected_handshake"
    /// The signature matched but the body could not be read.
    case malformed
    /// The body is larger than the route accepts.
    case tooLarge = "too_large"
}

/// Counts refused deliveries and writes them to the audit trail as one entry per subscription
/// per minute, so a flood of forged requests is a counter increment each, not a database write.
public final class RejectionLedger: Sendable {
    private struct Window {
        var subscription: WebhookSubscription
        var minute: Int64
        var count = 0
        var reasons: [String: Int] = [:]
    }

    private let store: any Store
    private let windows = NIOLockedValueBox<[String: Window]>([:])
    /// Distinct reason texts kept per window; the count is exact regardless.
    private static let maximumReasons = 5

    /// Creates a ledger that writes to `store`.
    public init(store: any Store) {
        self.store = store
    }

    /// Counts one refusal in metrics; when `subscription` is known, notes it for the minute's
    /// audit entry and writes the entries of minutes that have ended.
    public func record(system: SystemKind, reason: RejectionReason, subscription: WebhookSubscription?, detail: String, at now: Date = Date()) async throws {
        Counter(label: "mlc_webhook_rejections_total", dimensions: [("system", system.rawValue), ("reason", reason.rawValue)]).increment()
        guard let subscription else { return }
        let minute = Self.minute(of: now)
        let due = windows.withLockedValue { windows -> [Window] in
            var window = windows[subscription.id].flatMap { $0.minute == minute ? $0 : nil } ?? Window(subscription: subscription, minute: minute)
            let ended = windows[subscription.id].flatMap { $0.minute != minute ? $0 : nil }
            window.count += 1
            let text = String(detail.prefix(120))
            if window.reasons[text] != nil || window.reasons.count < Self.maximumReasons { window.reasons[text, default: 0] += 1 }
            windows[subscription.id] = window
            return ended.map { [$0] } ?? []
        }
        try await write(due)
    }

    /// Writes the entries of every minute that has ended before `now` (all of them when
    /// `everything`, at shutdown).
    public func flush(now: Date = Date(), everything: Bool = false) async throws {
        let minute = Self.minute(of: now)
        let due = windows.withLockedValue { windows -> [Window] in
            let ended = windows.values.filter { everything || $0.minute < minute }
            for window in ended { windows[window.subscription.id] = nil }
            return Array(ended)
        }
        try await write(due)
    }

    private func write(_ due: [Window]) async throws {
        for window in due {
            let start = Date(timeIntervalSince1970: TimeInterval(window.minute * 60))
            let reasons = window.reasons.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: "; ")
            let subscription = window.subscription
            try await store.appendAudit(AuditEntry(
                at: start, tenant: subscription.tenant, integrationID: subscription.integrationID, connectionID: subscription.connectionID,
                sourceRef: "webhook-subscription:\(subscription.id)", action: "webhook.reject", outcome: .rejected,
                error: "\(window.count) deliveries refused in the minute from \(ISO8601DateFormatter().string(from: start)): \(reasons)"
            ))
        }
    }

    private static func minute(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 60).rounded(.down))
    }
}
