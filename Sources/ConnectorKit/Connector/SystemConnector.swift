import Foundation

/// Everything shared code knows of one external system, as one value its module provides:
/// the provider facts, change feeds, webhook verifier and subscription calls, actions and
/// triggers, and how a connection is made and pinged. The catalogue is a list of these;
/// nothing else switches on the system.
public protocol SystemConnector: Sendable {
    /// The provider facts (hosts, auth, limits, signature header).
    var provider: ProviderDescription { get }
    /// How a connection is made.
    var connecting: ConnectionSetup { get }
    /// Feeds that need no configuration, polled for every connection an integration uses.
    var defaultFeeds: [String] { get }
    /// The webhook verifier, when the system sends webhooks.
    var verifier: (any WebhookVerifier)? { get }
    /// How the system's webhooks live, when it has them.
    var subscriptionFacts: SubscriptionFacts? { get }
    /// The actions and triggers a user can run one by one.
    var actions: [SystemAction] { get }

    /// The change feed `name` of a connection (nil: no such feed).
    func feed(named name: String, pipeline: HTTPPipeline, connection: Connection) -> (any ChangeFeed)?
    /// The subscription calls for a connection, when the system has webhooks.
    func subscriptions(pipeline: HTTPPipeline, connection: Connection) -> (any WebhookSubscriptionAPI)?
    /// Who a credential belongs to and which accounts it reaches (for connect and ping).
    func identify(pipeline: HTTPPipeline, connection: Connection) async throws -> ConnectedIdentity
}

extension SystemConnector {
    /// The system's name.
    public var system: SystemKind { provider.system }

    /// The action named `name`; the error lists the ones there are.
    public func action(named name: String) throws -> SystemAction {
        guard let action = actions.first(where: { $0.descriptor.name == name }) else {
            throw ConnectorError.validation(field: "action", message: "'\(name)' is not a \(provider.displayName) action; use one of: \(actions.map(\.descriptor.name).joined(separator: ", "))")
        }
        return action
    }

    /// Calls the system with the connection's credential and describes who answered; refuses
    /// when the credential no longer reaches the connection's account.
    public func ping(pipeline: HTTPPipeline, connection: Connection) async throws -> String {
        let identity = try await identify(pipeline: pipeline, connection: connection)
        guard let account = identity.accounts.first(where: { $0.accountRef == connection.accountRef }) else {
            throw ConnectorError.unauthorized("the credential no longer reaches \(connection.accountRef ?? "the account") of \(connection.id); connect it again")
        }
        return "\(identity.user) in \(account.name)" + (account.detail.map { " (\($0))" } ?? "")
    }
}

/// How a user connects an account of a system: which credentials it takes and how an account
/// is chosen when the credential reaches several.
public struct ConnectionSetup: Sendable {
    /// Whether a long-lived token (a personal access token, an API key) is accepted.
    public var acceptsToken: Bool
    /// What one account is called (`business`, `workspace`): the `--<noun>` flag that chooses it.
    public var accountNoun: String
    /// Whether a user name and password for the vendor's own sign-in (a session) is accepted.
    public var acceptsSignIn: Bool
    /// Whether an OAuth client-credentials grant (no user, no browser) is accepted.
    public var acceptsClientCredentials: Bool

    /// Describes the set-up. OAuth is offered when the provider has `authorization` facts.
    public init(acceptsToken: Bool, accountNoun: String, acceptsSignIn: Bool = false, acceptsClientCredentials: Bool = false) {
        self.acceptsToken = acceptsToken
        self.accountNoun = accountNoun
        self.acceptsSignIn = acceptsSignIn
        self.acceptsClientCredentials = acceptsClientCredentials
    }
}

/// Who a credential belongs to and what it reaches.
public struct ConnectedIdentity: Sendable {
    /// The user, as the vendor names them (an email when it gives one).
    public var user: String
    /// The accounts (businesses, workspaces, companies) the credential reaches.
    public var accounts: [AccountChoice]

    /// Describes an identity.
    public init(user: String, accounts: [AccountChoice]) {
        self.user = user
        self.accounts = accounts
    }
}

/// One account a credential reaches, and what a connection to it keeps.
public struct AccountChoice: Sendable {
    /// The id a user passes to choose it (`--business 439000`).
    public var id: String
    /// Its name.
    public var name: String
    /// A detail such as the user's role in it.
    public var detail: String?
    /// The vendor account id a connection routes webhooks by.
    public var accountRef: String
    /// Settings the connection keeps for it.
    public var settings: [String: String]
    /// Base URLs by role that only the account decides (Jira's `…/ex/jira/{cloudid}` per site).
    public var baseURLs: [String: String]

    /// Describes an account.
    public init(id: String, name: String, detail: String? = nil, accountRef: String, settings: [String: String], baseURLs: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.detail = detail
        self.accountRef = accountRef
        self.settings = settings
        self.baseURLs = baseURLs
    }

    /// `id (name, detail)`, for messages that list choices.
    public var label: String { "\(id) (\(name)\(detail.map { ", \($0)" } ?? ""))" }
}

extension ConnectedIdentity {
    /// The account to connect: the one named, or the only one; otherwise an error listing them.
    public func choose(_ wanted: String?, noun: String) throws -> AccountChoice {
        if let wanted {
            guard let match = accounts.first(where: { $0.id == wanted }) else {
                throw ConnectorError.validation(field: "--\(noun)", message: "\(wanted) is not one of this user's \(noun)s: " + accounts.map(\.label).joined(separator: ", "))
            }
            return match
        }
        guard accounts.count == 1 else {
            if accounts.isEmpty { throw ConnectorError.validation(field: "credential", message: "this user reaches no \(noun); check the account at the vendor") }
            throw ConnectorError.validation(field: "--\(noun)", message: "this user has several \(noun)s; run again with --\(noun) and one of: " + accounts.map(\.label).joined(separator: ", "))
        }
        return accounts[0]
    }
}

extension Connection {
    /// Points the connection at a chosen account.
    public mutating func adopt(_ account: AccountChoice) {
        accountRef = account.accountRef
        displayName = account.name
        settings.merge(account.settings) { _, new in new }
        baseURLs.merge(account.baseURLs) { _, new in new }
    }
}
