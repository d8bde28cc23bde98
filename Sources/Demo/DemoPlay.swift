import ConnectorKit
import Engine
import Flows
import Foundation
import Store

/// One integration's scenario for `demo`: it connects the sandboxes, applies its integration
/// through the same path as `integration apply`, plays a week of work through the vendors'
/// APIs and reports what moved.
public protocol DemoPlay: Sendable {
    /// What it shows, in a few words.
    var title: String { get }
    /// Plays the scenario against a running server: one report per integration it applied
    /// (a multi-tenant scenario reports each tenant's integration on its own).
    func play(in environment: DemoEnvironment) async throws -> [DemoReport]
}

/// What a play has at hand.
public struct DemoEnvironment: Sendable {
    /// The server's store.
    public var store: SQLStore
    /// The started sandboxes.
    public var sandboxes: DemoSandboxes
    /// The server's URL (webhooks are registered at it).
    public var serverURL: String
    /// Prints one line of progress.
    public var say: @Sendable (String) -> Void

    /// Creates an environment.
    public init(store: SQLStore, sandboxes: DemoSandboxes, serverURL: String, say: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.sandboxes = sandboxes
        self.serverURL = serverURL
        self.say = say
    }

    /// The integration context of the demo's server.
    public var integrationContext: IntegrationContext {
        IntegrationContext(store: store, catalog: SystemCatalog(pipeline: HTTPPipeline(credentials: store), publicURL: serverURL))
    }

    /// Adds the demo connection of a sandbox.
    public func connect(_ sandbox: any DemoSandbox, id: String) async throws -> Connection {
        let (connection, credential) = sandbox.demoConnection(id: id)
        try await store.addConnection(connection, credential: credential)
        return connection
    }

    /// Waits until `condition` holds; a clear failure after `timeout`.
    public func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw ConnectorError.permanent("the demo timed out waiting for \(what); see ml-connector audit") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until no job is due or running.
    public func waitForIdleQueue() async throws {
        try await waitUntil("the queue to settle", timeout: .seconds(30)) {
            let due = try await store.jobs(state: .pending, integrationID: nil, limit: 1000).filter { $0.runAt <= Date().addingTimeInterval(2) }
            let running = try await store.jobCounts()[.running, default: 0]
            return due.isEmpty && running == 0
        }
    }
}

/// What one integration did in a play: records per system, jobs by trigger, API calls and
/// duplicates found (always 0).
public struct DemoReport: Sendable {
    /// The integration's name (`agency-billing`), the key of its section in the summary.
    public var integration: String
    /// Records per system (`freshbooks: {clients: 3, …}`), with the label a person reads.
    public var records: [(system: SystemKind, label: String, counts: [String: Int])]
    /// Jobs by what triggered them.
    public var triggers: [String: Int]
    /// Records that exist twice where one was meant.
    public var duplicates: Int
    /// API calls by system. A play that reports one integration leaves it empty and the demo
    /// fills in what the sandboxes answered during the play; a play that reports several
    /// (one per tenant, each on its own sandboxes) sets it per report.
    public var apiCalls: [String: Int]
    /// API calls by system, then by `CallPurpose` (set-up, reads, writes, webhook upkeep, and
    /// the play's own calls as people); empty when the play does not split them.
    public var callPurposes: [String: [String: Int]] = [:]

    /// Creates a report.
    public init(integration: String, records: [(system: SystemKind, label: String, counts: [String: Int])], triggers: [String: Int], duplicates: Int, apiCalls: [String: Int] = [:]) {
        self.integration = integration
        self.records = records
        self.triggers = triggers
        self.duplicates = duplicates
        self.apiCalls = apiCalls
    }
}

/// The demo's summary over every play: printed as a table, and as one JSON line for scripts
/// (`{"integrations": {"agency-billing": {"freshbooks": {...}, "asana": {...}, "triggers": …,
/// "apiCalls": …, "apiCallsByPurpose": {"asana": {"reads": …}, …}, "duplicates": 0}, …}, "apiCalls": …, "duplicates": 0, "elapsedSeconds": …}`).
public struct DemoSummary: Encodable, Sendable {
    /// The plays' reports, one per integration.
    public var reports: [DemoReport]
    /// API calls each sandbox answered over the whole demo.
    public var apiCalls: [String: Int]
    /// Wall time.
    public var elapsedSeconds: Double

    /// Creates a summary.
    public init(reports: [DemoReport], apiCalls: [String: Int], elapsedSeconds: Double) {
        self.reports = reports
        self.apiCalls = apiCalls
        self.elapsedSeconds = elapsedSeconds
    }

    /// Duplicates over every play.
    public var duplicates: Int { reports.reduce(0) { $0 + $1.duplicates } }

    /// The table a person reads.
    public var table: String {
        func line(_ counts: [String: Int]) -> String { counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
        func row(_ label: String, _ value: String) -> String { "    " + label.padding(toLength: 20, withPad: " ", startingAt: 0) + value }
        var rows = ["", "Summary"]
        for report in reports {
            rows.append("  \(report.integration)")
            for record in report.records { rows.append(row(record.label, line(record.counts))) }
            rows.append(row("jobs by trigger", line(report.triggers)))
            rows.append(row("API calls", line(report.apiCalls)))
            for (system, purposes) in report.callPurposes.sorted(by: { $0.key < $1.key }) {
                rows.append(row("  \(system) for", CallPurpose.allCases.compactMap { purpose in purposes[purpose.rawValue].map { "\(purpose.rawValue) \($0)" } }.joined(separator: ", ")))
            }
            rows.append(row("duplicates", "\(report.duplicates)"))
        }
        rows.append("  all API calls         " + line(apiCalls))
        rows.append("  all duplicates        \(duplicates)")
        rows.append(String(format: "  elapsed               %.1f s", elapsedSeconds))
        return rows.joined(separator: "\n")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var integrations = container.nestedContainer(keyedBy: Key.self, forKey: Key("integrations"))
        for report in reports {
            var section = integrations.nestedContainer(keyedBy: Key.self, forKey: Key(report.integration))
            for record in report.records { try section.encode(record.counts, forKey: Key(record.system.rawValue)) }
            try section.encode(report.triggers, forKey: Key("triggers"))
            try section.encode(report.apiCalls, forKey: Key("apiCalls"))
            if !report.callPurposes.isEmpty { try section.encode(report.callPurposes, forKey: Key("apiCallsByPurpose")) }
            try section.encode(report.duplicates, forKey: Key("duplicates"))
        }
        try container.encode(apiCalls, forKey: Key("apiCalls"))
        try container.encode(duplicates, forKey: Key("duplicates"))
        try container.encode(elapsedSeconds, forKey: Key("elapsedSeconds"))
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
