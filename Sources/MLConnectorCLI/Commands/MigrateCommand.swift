import ArgumentParser
import Store

/// `ml-connector migrate`: brings the database schema up to date.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await withStore(global) { store in
            // Opening the store already migrated it; report where it stands.
            let version = try await store.schemaVersion()
            if global.json {
                try Output.json(["schemaVersion": version.database, "latestKnown": version.known])
            } else {
                print("schema at version \(version.database) (latest known \(version.known))")
            }
        }
    }
}
