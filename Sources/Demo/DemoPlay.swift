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
    /// Plays the scenario against a running server.
    func play(in environment: DemoEnvironment) async throws -> DemoReport
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

/// What a play did: records per system, jobs by trigger, and duplicates found (always 0).
public struct DemoReport: Sendable {
    /// Records per system (`freshbooks: {clients: 3, …}`), with the label a person reads.
    public var records: [(system: SystemKind, label: String, counts: [String: Int])]
    /// Jobs by what triggered them.
    public var triggers: [String: Int]
    /// Records that exist twice where one was meant.
    public var duplicates: Int

    /// Creates a report.
    public init(records: [(system: SystemKind, label: String, counts: [String: Int])], triggers: [String: Int], duplicates: Int) {
        self.records = records
        self.triggers = triggers
        self.duplicates = duplicates
    }
}

/// The demo's summary over every play: printed as a table, and as one JSON line for scripts
/// (`{"freshbooks": {...}, "asana": {...}, "triggers": …, "apiCalls": …, "duplicates": 0}`).
public struct DemoSummary: Encodable, Sendable {
    /// The plays' reports.
    public var reports: [DemoReport]
    /// API calls each sandbox answered.
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

    var records: [(system: SystemKind, label: String, counts: [String: Int])] {
        var merged: [(system: SystemKind, label: String, counts: [String: Int])] = []
        for record in reports.flatMap(\.records) {
            if let index = merged.firstIndex(where: { $0.system == record.system }) {
                merged[index].counts.merge(record.counts, uniquingKeysWith: +)
            } else {
                merged.append(record)
            }
        }
        return merged
    }

    var triggers: [String: Int] {
        reports.reduce(into: [:]) { total, report in total.merge(report.triggers, uniquingKeysWith: +) }
    }

    /// The table a person reads.
    public var table: String {
        func line(_ counts: [String: Int]) -> String { counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
        var rows = ["", "Summary"]
        for record in records { rows.append("  " + record.label.padding(toLength: 20, withPad: " ", startingAt: 0) + line(record.counts)) }
        rows.append("  jobs by trigger     " + line(triggers))
        rows.append("  API calls           " + line(apiCalls))
        rows.append("  duplicates          \(duplicates)")
        rows.append(String(format: "  elapsed             %.1f s", elapsedSeconds))
        return rows.joined(separator: "\n")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for record in records { try container.encode(record.counts, forKey: Key(record.system.rawValue)) }
        try container.encode(triggers, forKey: Key("triggers"))
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
