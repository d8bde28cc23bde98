import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import Server

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

    func validate() throws {
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
        let configuration = ServerConfiguration(host: host ?? environment["ML_CONNECTOR_HOST"] ?? "127.0.0.1", port: resolvedPort, webhookBodyLimit: bodyLimit, workers: workers, publicURL: publicURL, jobLease: .seconds(jobLease))
        try await withStore(global) { store in
            let logger = Logger(label: "ml-connector")
            let components = Components(store: store, publicURL: publicURL)
            // Every active integration's schedules, from its one source: polls come back even after an outage.
            try await components.integrations.ensureSchedules(context: components.context(store: store)) { integration, error in
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
        }
    }
}
