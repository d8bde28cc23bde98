import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Store

/// `connection webhook ID`: registers a webhook endpoint for a system whose webhooks are set up
/// in the vendor's portal rather than by API (QuickBooks): the portal's verifier token is stored
/// in the vault as the subscription's secret, and the address to paste into the portal printed.
/// Run again, it replaces the token and keeps the address.
struct ConnectionWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Register the webhook endpoint of a system set up in its vendor's portal (verifier token from <SYSTEM>_VERIFIER_TOKEN or standard input)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The connection id.") var id: String
    @Option(help: "The server's public address, e.g. https://connector.example.com.") var publicURL: String

    func run() async throws {
        try await withStore(global) { store in
            guard let connection = try await store.connection(id: id) else { throw CLIFailure(message: "no connection \(id); list them with ml-connector connection list") }
            let connector = try SystemCatalog.registered(connection.system)
            guard connector.verifier != nil, connector.subscriptionFacts == nil else {
                throw CLIFailure(message: "\(connector.provider.displayName) webhooks are kept by the integrations' webhook upkeep, not registered by hand")
            }
            let token = try ConnectionAddSystem.secret(env: "\(connection.system.rawValue.uppercased())_VERIFIER_TOKEN", what: "verifier token")
            // Run again (a new token from the portal), it keeps the endpoint the portal already has.
            let existing = try await store.subscriptions(connectionID: connection.id).first { $0.resource == "portal" && $0.status != .deleted }
            var subscription = existing ?? WebhookSubscription(tenant: connection.tenant, system: connection.system, connectionID: connection.id, resource: "portal", status: .active)
            subscription.status = .active
            subscription.updatedAt = Date()
            try await store.saveSubscription(subscription, secret: token)
            let address = publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/webhooks/\(connection.system.rawValue)/\(subscription.id)"
            if global.json {
                try Output.json(["subscription": subscription.id, "url": address])
            } else {
                print("registered \(subscription.id); enter \(address) as the endpoint in \(connector.provider.displayName)'s developer portal")
            }
        }
    }
}
