import ArgumentParser
import ConnectorKit
import Foundation
import Logging

/// The `ml-connector` command.
@main
struct MLConnector: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml-connector",
        abstract: "Keeps FreshBooks, QuickBooks Online and Acumatica in agreement with Asana and Jira.",
        subcommands: [
            DemoCommand.self, ServeCommand.self, MigrateCommand.self, ConnectionCommand.self, IntegrationCommand.self, JobsCommand.self,
            AuditCommand.self, ReplayCommand.self, DeadLettersCommand.self, KeysCommand.self, SandboxCommand.self, FreshBooksCommand.self, AsanaCommand.self,
        ]
    )

    /// Runs the command; a failure is one line on stderr (`error: …`) and a non-zero exit, with
    /// usage only when asked for (`--help`).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = SecretRedactor.shared.redact(self.message(for: error)).split(separator: "\n").first.map(String.init) ?? "failed"
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// Sets up logging once: swift-log to stderr, every line through the secret redactor.
enum LoggingSetup {
    private static let installed: Bool = {
        let level = ProcessInfo.processInfo.environment["ML_CONNECTOR_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return RedactingLogHandler(wrapping: handler)
        }
        return true
    }()

    static func bootstrap() { _ = installed }
}
