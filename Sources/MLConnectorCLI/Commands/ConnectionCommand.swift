import ArgumentParser
import ConnectorKit
import Foundation
import Store

/// `ml-connector connection …`: the configured accounts of external systems.
struct ConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connection",
        abstract: "Add, list and remove connections to external systems.",
        subcommands: [ConnectionAdd.self, ConnectionList.self, ConnectionShow.self, ConnectionPing.self, ConnectionWebhook.self, ConnectionRemove.self]
    )
}

/// `connection add <system>`.
struct ConnectionAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Connect an account of an external system.",
        discussion: "ml-connector connection add <system> … connects a system this build knows (OAuth with --client-id, or a token on standard input); "
            + "connection add token <name> stores a token for any other system.",
        subcommands: [ConnectionAddSystem.self, ConnectionAddToken.self],
        defaultSubcommand: ConnectionAddSystem.self
    )
}

/// `connection add-token`: a connection that authenticates with a long-lived token.
struct ConnectionAddToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Add a connection that uses an API token (read from standard input, never from the command line)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The system: freshbooks, asana, quickbooks, acumatica, jira, or another name.")
    var system: String

    @Option(help: "The connection id, e.g. asana-acme.")
    var id: String

    @Option(help: "The tenant (customer) it belongs to.")
    var tenant: String = defaultTenant

    @Option(name: .customLong("base-url"), help: "A base URL by role, e.g. api=https://sandbox.example/api (repeatable).")
    var baseURLs: [String] = []

    @Option(help: "The vendor's account id, for routing webhooks that name the account.")
    var accountRef: String?

    @Option(help: "Basic-auth user name; the token is then the password.")
    var username: String?

    func validate() throws {
        try ConnectionFlags.validate(id: id, tenant: tenant, baseURLs: baseURLs, rateLimit: nil)
    }

    func run() async throws {
        guard let token = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw CLIFailure(message: "no token on standard input; pipe it in, e.g. printf %s \"$TOKEN\" | ml-connector connection add-token …")
        }
        let credential = username.map { Credential(kind: .basic, username: $0, password: token) } ?? Credential(kind: .apiToken, accessToken: token)
        let connection = Connection(id: id, tenant: tenant, system: SystemKind(system), baseURLs: try ConnectionFlags.baseURLs(baseURLs), accountRef: accountRef)
        try await withStore(global) { store in
            try await store.addConnection(connection, credential: credential)
            if global.json {
                try Output.json(connection)
            } else {
                print("added connection \(connection.id) (\(connection.system)) for tenant \(connection.tenant)")
            }
        }
    }
}

/// `connection list`.
struct ConnectionList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List connections.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this tenant's connections.")
    var tenant: String?

    func run() async throws {
        try await withStore(global) { store in
            let connections = try await store.connections(tenant: tenant)
            if global.json {
                try Output.json(connections)
            } else {
                Output.table(["ID", "TENANT", "SYSTEM", "ACCOUNT", "BASE URLS", "UPDATED"], connections.map { connection in
                    [connection.id, connection.tenant, connection.system.rawValue, connection.accountRef ?? "-",
                     connection.baseURLs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ").ifEmpty("(vendor defaults)"),
                     Output.time(connection.updatedAt)]
                })
            }
        }
    }
}

/// `connection remove ID`.
struct ConnectionRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a connection and its stored credential.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The connection id.")
    var id: String

    func run() async throws {
        try await withStore(global) { store in
            try await store.removeConnection(id: id)
            if global.json {
                try Output.json(["removed": id])
            } else {
                print("removed connection \(id)")
            }
        }
    }
}

extension String {
    /// `replacement` when the string is empty.
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
