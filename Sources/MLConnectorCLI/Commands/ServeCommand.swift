import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import Server
import Store

/// `ml-connector serve`: the server, webhook ingress and job workers.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the server: webhooks, workers, health and metrics.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to bind; loopback unless you mean to expose it (env ML_CONNECTOR_HOST).")
    var host: String?

    @Option(help: "Port to listen on (env ML_CONNECTOR_PORT).")
    var port: Int?

    @Option(help: "Jobs run at once in this process.")
    var workers: Int = 4

    @Option(help: "Largest webhook body accepted, in bytes.")
    var bodyLimit: Int = 1 << 20

    @Option(help: "Seconds a job's claim lasts without a heartbeat: how soon a crashed worker's job runs again.")
    var jobLease: Int = 60

    @Option(help: "The https URL vendors reach this server at; webhooks are registered only when set (env ML_CONNECTOR_PUBLIC_URL).")
    var publicURL: String?

    @Option(help: "Keep webhook inbox rows this long, e.g. 7d, 12h (env ML_CONNECTOR_RETAIN_INBOX; default 7d).")
    var retainInbox: String?

    @Option(help: "Keep succeeded jobs and replayed dead letters this long (env ML_CONNECTOR_RETAIN_JOBS; default 7d).")
    var retainJobs: String?

    @Option(help: "Keep audit entries this long (env ML_CONNECTOR_RETAIN_AUDIT; default 90d).")
    var retainAudit: String?

    @Option(help: "Most client connections served at once.")
    var maxConnections: Int = 512

    @Option(help: "Seconds a client has to send a request's headers; slower ones are cut off.")
    var headerTimeout: Int = 10

    @Option(help: "Seconds an idle client connection is kept open.")
    var idleTimeout: Int = 60

    func validate() throws {
        if !(1...100_000).contains(maxConnections) { throw ValidationError("--max-connections must be 1–100000, got \(maxConnections)") }
        if !(1...600).contains(headerTimeout) { throw ValidationError("--header-timeout must be 1–600 seconds, got \(headerTimeout)") }
        if !(1...3600).contains(idleTimeout) { throw ValidationError("--idle-timeout must be 1–3600 seconds, got \(idleTimeout)") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0–65535, got \(port)") }
        if !(1...256).contains(workers) { throw ValidationError("--workers must be 1–256, got \(workers)") }
        if bodyLimit < 1024 { throw ValidationError("--body-limit must be at least 1024 bytes") }
        if !(3...3600).contains(jobLease) { throw ValidationError("--job-lease must be 3–3600 seconds, got \(jobLease)") }
        if let publicURL, URL(string: publicURL)?.host == nil { throw ValidationError("--public-url must be an absolute URL such as https://mlc.example.com") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let resolvedPort = try port ?? environment["ML_CONNECTOR_PORT"].map { value in
            guard let number = Int(value), (0...65535).contains(number) else { throw CLIFailure(message: "ML_CONNECTOR_PORT must be a port number, got '\(value)'") }
            return number
        } ?? 8080
        let publicURL = self.publicURL ?? environment["ML_CONNECTOR_PUBLIC_URL"]
        var retention = try RetentionPolicy().overridden(by: environment)
        if let retainInbox { retention.inbox = try RetentionPolicy.parseAge(retainInbox, field: "--retain-inbox") }
        if let retainJobs { retention.finishedJobs = try RetentionPolicy.parseAge(retainJobs, field: "--retain-jobs") }
        if let retainAudit { retention.audit = try RetentionPolicy.parseAge(retainAudit, field: "--retain-audit") }
        let limits = ServerLimits(headerTimeout: .seconds(headerTimeout), idleTimeout: .seconds(idleTimeout), maxConnections: maxConnections)
        let configuration = ServerConfiguration(host: host ?? environment["ML_CONNECTOR_HOST"] ?? "127.0.0.1", port: resolvedPort, webhookBodyLimit: bodyLimit, workers: workers,
                                                publicURL: publicURL, jobLease: .seconds(jobLease), limits: limits, retention: retention)
        try await withStore(global) { store in
            let logger = Logger(label: "ml-connector")
            let components = Components(store: store, publicURL: publicURL)
            // Every active integration's schedules, from its one source: polls come back even after
            // an outage. Alongside the server, not before it: listing a team can take a while.
            async let seeded: Void = components.integrations.ensureSchedules(context: components.context(store: store)) { integration, error in
                logger.error("could not schedule integration \(integration): \(error)")
            }
            let runtime = ServerRuntime(store: store, configuration: configuration, registry: components.registry(), verifiers: components.verifiers, logger: logger)
            let json = global.json
            try await runtime.run { port in
                if json {
                    print("{\"event\":\"listening\",\"url\":\"http://\(configuration.host):\(port)\"}")
                } else {
                    print("ml-connector listening on http://\(configuration.host):\(port)  (health: /healthz, metrics: /metrics)")
                }
                fflush(nil)
            }
            try await seeded
        }
    }
}
