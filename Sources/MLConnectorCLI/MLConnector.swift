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
            ServeCommand.self, MigrateCommand.self, ConnectionCommand.self, JobsCommand.self,
            AuditCommand.self, ReplayCommand.self, DeadLettersCommand.self, KeysCommand.self, SandboxCommand.self, FreshBooksCommand.self,
        ]
    )
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
