import ArgumentParser
import ConnectorKit
import Foundation
import Store

/// Options every command that touches the store shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Where the SQLite database and the master key file live (env ML_CONNECTOR_DATA_DIR).")
    var dataDir: String?

    @Option(name: .long, help: "PostgreSQL URL (postgres://user:pass@host:5432/db); SQLite in the data directory when absent (env ML_CONNECTOR_DATABASE_URL).")
    var databaseURL: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    /// The data directory: the flag, the environment, or ./.ml-connector.
    var resolvedDataDir: String {
        dataDir ?? ProcessInfo.processInfo.environment["ML_CONNECTOR_DATA_DIR"] ?? "./.ml-connector"
    }

    /// The database URL: the flag or the environment; nil means SQLite.
    var resolvedDatabaseURL: String? {
        let url = databaseURL ?? ProcessInfo.processInfo.environment["ML_CONNECTOR_DATABASE_URL"]
        return url?.isEmpty == true ? nil : url
    }

    /// Opens (and migrates) the store.
    func openStore() async throws -> SQLStore {
        LoggingSetup.bootstrap()
        return try await SQLStore.open(databaseURL: resolvedDatabaseURL, dataDirectory: resolvedDataDir)
    }
}

/// Runs a command body against the store, closing it afterwards and turning every error into
/// one redacted line on stderr and exit code 1.
func withStore<Result>(_ options: GlobalOptions, _ body: (SQLStore) async throws -> Result) async throws -> Result {
    let store: SQLStore
    do {
        store = try await options.openStore()
    } catch {
        throw CLIFailure(error)
    }
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw CLIFailure(error)
    }
}

/// A failure printed as one line: `error: <what and how to fix it>`.
struct CLIFailure: Error, CustomStringConvertible {
    let message: String

    init(_ error: any Error) {
        if let failure = error as? CLIFailure {
            message = failure.message
        } else {
            message = SecretRedactor.shared.redact(String(describing: error))
        }
    }

    init(message: String) {
        self.message = SecretRedactor.shared.redact(message)
    }

    var description: String { message }
}
