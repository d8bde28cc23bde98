import ArgumentParser
import ConnectorKit
import Flows
import Foundation
import Logging

/// The `ml-connector` command.
@main
struct MLConnector: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "ml-connector",
            abstract: "Keeps FreshBooks, QuickBooks Online and Acumatica in agreement with Asana and Jira.",
            discussion: "System actions: ml-connector <system> <action> --connection ID [flags]; ml-connector <system> --help lists them.\n"
                + Registry.systems.map { "  \($0.system)  \($0.actions.map(\.descriptor.name).joined(separator: ", "))" }.joined(separator: "\n"),
            subcommands: [
                DemoCommand.self, ServeCommand.self, MigrateCommand.self, ConnectionCommand.self, IntegrationCommand.self, JobsCommand.self,
                AuditCommand.self, ReplayCommand.self, RollbackCommand.self, DeadLettersCommand.self, KeysCommand.self, SandboxCommand.self, SystemActionCommand.self,
            ]
        )
    }

    /// Runs the command; a failure is one line on stderr (`error: …`) and a non-zero exit, with
    /// usage only when asked for (`--help`).
    static func main() async {
        do {
            var command = try parseAsRoot(try systemActionArguments(Array(CommandLine.arguments.dropFirst())))
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

extension MLConnector {
    /// `ml-connector <system> …` is `ml-connector action <system> …`; `--help` after a system
    /// prints the help generated from its descriptors and exits.
    static func systemActionArguments(_ arguments: [String]) throws -> [String] {
        guard let first = arguments.first, let connector = Registry.systems.first(where: { $0.system.rawValue == first.lowercased() }) else { return arguments }
        let rest = Array(arguments.dropFirst())
        // Help only where it cannot be a flag's value: right after the system or the action, or last.
        let helpWords: Set<String> = ["--help", "-h", "help"]
        let wantsHelp = rest.first.map(helpWords.contains) == true || (rest.count > 1 && ["--help", "-h"].contains(rest[1]))
            || (rest.count > 2 && rest.last == "--help" && !rest[rest.count - 2].hasPrefix("--"))
        if rest.isEmpty || wantsHelp {
            if let name = rest.first, let action = connector.actions.first(where: { $0.descriptor.name == name }) {
                print((["USAGE: ml-connector \(connector.system) \(name) --connection ID [--queue] [--timeout S] [--json] [flags]", ""]
                       + ActionFlags.help(for: action.descriptor)).joined(separator: "\n"))
            } else {
                print(ActionFlags.help(for: connector))
            }
            Foundation.exit(rest.isEmpty ? 64 : 0)
        }
        return ["action"] + arguments
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
