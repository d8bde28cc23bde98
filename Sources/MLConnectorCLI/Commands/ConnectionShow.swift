import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Store

/// `connection show ID`: a connection, its credential's state, and the health of its webhooks.
struct ConnectionShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a connection and the health of its webhook subscriptions.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The connection id.")
    var id: String

    struct Report: Encodable {
        var connection: Connection
        var credential: CredentialState
        var subscriptions: [SubscriptionHealth]
        var integrations: [String]
        var failingFeeds: [FailingSchedule]
    }

    struct CredentialState: Encodable {
        var kind: String
        var version: Int64
        var expiresAt: Date?
        var refreshable: Bool
    }

    struct SubscriptionHealth: Encodable {
        var id: String
        var resource: String?
        var vendorID: String?
        var status: String
        var lastDelivery: Date?
        var lastHeartbeat: Date?
        var health: String
    }

    func run() async throws {
        try await withStore(global) { store in
            guard let connection = try await store.connection(id: id) else {
                throw CLIFailure(message: "no connection \(id); list them with ml-connector connection list")
            }
            let credential = try await store.credential(for: id)
            let now = Date()
            let subscriptions = try await store.subscriptions(connectionID: id).map { subscription in
                SubscriptionHealth(id: subscription.id, resource: subscription.resource, vendorID: subscription.externalID, status: subscription.status.rawValue,
                                   lastDelivery: subscription.lastDeliveryAt, lastHeartbeat: subscription.lastHeartbeatAt, health: Self.health(subscription, now: now))
            }
            let report = Report(connection: connection,
                                credential: CredentialState(kind: credential.credential.kind.rawValue, version: credential.version, expiresAt: credential.credential.expiresAt,
                                                            refreshable: credential.credential.canRefresh),
                                subscriptions: subscriptions, integrations: try await store.integrations(usingConnection: id).map(\.id),
                                failingFeeds: try await store.failingSchedules(connectionID: id))
            if global.json {
                try Output.json(report)
                return
            }
            print("\(connection.id) — \(connection.system) \(connection.displayName) (tenant \(connection.tenant))")
            print("account: \(connection.accountRef ?? "-")   settings: " + connection.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            print("credential: \(report.credential.kind), version \(report.credential.version)" + (report.credential.expiresAt.map { ", access token expires \(Output.time($0))" } ?? "")
                  + (report.credential.refreshable ? ", refreshable" : ""))
            print("integrations: \(report.integrations.isEmpty ? "(none)" : report.integrations.joined(separator: ", "))")
            print(FailingFeedLines.render(report.failingFeeds))
            if let connector = try? SystemCatalog.registered(connection.system), connector.verifier != nil, connector.subscriptionFacts == nil {
                // No subscription API (QuickBooks): the operator registers the endpoint in the vendor's portal.
                print("webhooks: set up in \(connector.provider.displayName)'s developer portal, not by API; register the endpoint and its verifier token with ml-connector connection webhook \(connection.id) --public-url URL")
            }
            print("webhooks:")
            Output.table(["SUBSCRIPTION", "RESOURCE", "VENDOR ID", "STATUS", "LAST DELIVERY", "LAST HEARTBEAT", "HEALTH"], subscriptions.map {
                [$0.id, $0.resource ?? "-", $0.vendorID ?? "-", $0.status, Output.time($0.lastDelivery), Output.time($0.lastHeartbeat), $0.health]
            })
        }
    }

    /// A word for a person: `ok`, `waiting for handshake`, `heartbeat overdue`, `failing`.
    static func health(_ subscription: WebhookSubscription, now: Date) -> String {
        switch subscription.status {
        case .pending: return "waiting for handshake or verification"
        case .failing: return "failing; upkeep will re-create it"
        case .deleted: return "deleted at the vendor"
        case .active:
            // Only vendors that heartbeat (Asana, digest B7) can be overdue.
            if let grace = (try? SystemCatalog.registered(subscription.system))?.subscriptionFacts?.heartbeatGrace {
                let last = [subscription.lastHeartbeatAt, subscription.lastDeliveryAt, subscription.createdAt].compactMap { $0 }.max() ?? subscription.createdAt
                if now.timeIntervalSince(last) > grace.seconds { return "heartbeat overdue" }
            }
            return "ok"
        }
    }
}
