import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Store

/// `ml-connector integration …`: integrations declared in YAML.
struct IntegrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integration",
        abstract: "Apply, inspect, run, pause and resume integrations.",
        subcommands: [IntegrationApply.self, IntegrationList.self, IntegrationShow.self, IntegrationRun.self, IntegrationPause.self, IntegrationResume.self]
    )
}

/// `integration apply -f file.yaml`.
struct IntegrationApply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Validate a YAML integration against the live systems and store it.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "The YAML file.") var file: String
    @Option(help: "The URL vendors reach the server at; webhooks are registered when given (env ML_CONNECTOR_PUBLIC_URL).") var publicURL: String?

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIFailure(message: "-f \(file): cannot read the file")
        }
        try await withStore(global) { store in
            let components = Components(store: store, publicURL: publicURL ?? ProcessInfo.processInfo.environment["ML_CONNECTOR_PUBLIC_URL"])
            let applied: AppliedIntegration
            do {
                applied = try await components.integrations.apply(yaml: String(decoding: data, as: UTF8.self), context: components.context(store: store))
            } catch let error as ConnectorError {
                throw CLIFailure(message: "\(file): \(error)")
            }
            if global.json {
                try Output.json(applied)
            } else {
                print("\(applied.created ? "created" : "updated") integration \(applied.integration) (\(applied.kind))")
                for line in applied.resolved { print("  \(line)") }
                for line in applied.scheduled { print("  \(line)") }
            }
        }
    }
}

/// `integration list`.
struct IntegrationList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List integrations.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this tenant's.") var tenant: String?

    func run() async throws {
        try await withStore(global) { store in
            let integrations = try await store.integrations(tenant: tenant)
            if global.json {
                try Output.json(integrations)
            } else {
                Output.table(["ID", "TENANT", "KIND", "STATE", "CONNECTIONS", "UPDATED"], integrations.map {
                    [$0.id, $0.tenant, $0.kind, $0.state.rawValue, $0.connections.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "), Output.time($0.updatedAt)]
                })
            }
        }
    }
}

/// `integration show NAME`.
struct IntegrationShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an integration: links, recent runs, dead letters, unmatched people.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The integration name.") var name: String

    struct Report: Encodable {
        var integration: IntegrationRecord
        var links: [String: Int]
        var recent: [AuditEntry]
        var deadLetters: Int
        var details: [String: String]
        var failingFeeds: [FailingSchedule]
    }

    func run() async throws {
        try await withStore(global) { store in
            guard let integration = try await store.integration(id: name) else { throw CLIFailure(message: "no integration \(name); list them with ml-connector integration list") }
            var links: [String: Int] = [:]
            for link in try await store.links(integrationID: name) { links["\(link.source.system):\(link.source.type) → \(link.target.system):\(link.target.type)", default: 0] += 1 }
            let recent = try await store.auditEntries(AuditFilter(integrationID: name, limit: 10))
            let dead = try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 1000).filter { $0.integrationID == name }.count
            let components = Components(store: store)
            var details: [String: String] = [:]
            if let kind = try? components.integrations.integration(kind: integration.kind) {
                details = await kind.details(for: integration, context: components.context(store: store))
            }
            var failing: [FailingSchedule] = []
            for connection in Set(integration.connections.values).sorted() { failing += try await store.failingSchedules(connectionID: connection) }
            let report = Report(integration: integration, links: links, recent: recent, deadLetters: dead, details: details, failingFeeds: failing)
            if global.json {
                try Output.json(report)
                return
            }
            print("\(integration.id) (\(integration.kind), tenant \(integration.tenant)): \(integration.state.rawValue)")
            print("links: " + (links.isEmpty ? "(none yet)" : links.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))
            print("dead letters: \(dead)" + (dead > 0 ? " (see ml-connector dead-letters, then replay)" : ""))
            print(FailingFeedLines.render(failing))
            for (key, value) in details.sorted(by: { $0.key < $1.key }) { print("\(key): \(value)") }
            print("recent runs:")
            Output.table(["AT", "OUTCOME", "ACTION", "SOURCE", "TARGET", "ERROR"], recent.map {
                [Output.time($0.at), $0.outcome.rawValue, $0.action, $0.sourceRef ?? "-", $0.targetRef ?? "-", String(($0.error ?? "").prefix(60))]
            })
        }
    }
}

/// `integration run NAME`: poll every feed now.
struct IntegrationRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Poll every feed of an integration now (a running server does the work).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The integration name.") var name: String

    func run() async throws {
        try await withStore(global) { store in
            guard let integration = try await store.integration(id: name) else { throw CLIFailure(message: "no integration \(name); list them with ml-connector integration list") }
            let components = Components(store: store)
            let count = try await components.integrations.runNow(integration, context: components.context(store: store))
            if global.json { try Output.json(["integration": name, "polls": "\(count)"]) } else { print("queued \(count) poll(s) for \(name)") }
        }
    }
}

/// `integration pause NAME`.
struct IntegrationPause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Stop an integration's work (changes keep arriving and wait).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The integration name.") var name: String

    func run() async throws {
        try await withStore(global) { store in
            try await store.setIntegrationState(id: name, state: .paused)
            if global.json { try Output.json(["integration": name, "state": "paused"]) } else { print("paused \(name)") }
        }
    }
}

/// `integration resume NAME`.
struct IntegrationResume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused integration and poll it at once.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The integration name.") var name: String

    func run() async throws {
        try await withStore(global) { store in
            // Jobs held while paused become claimable now; the polls catch up on the rest.
            try await store.setIntegrationState(id: name, state: .active)
            guard let integration = try await store.integration(id: name) else { return }
            let components = Components(store: store)
            try await components.integrations.runNow(integration, context: components.context(store: store))
            if global.json { try Output.json(["integration": name, "state": "active"]) } else { print("resumed \(name); its feeds are polled now") }
        }
    }
}
