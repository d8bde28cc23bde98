import ArgumentParser
import Store

/// `ml-connector dead-letters`: jobs that failed for good, with their context.
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dead-letters", abstract: "List jobs that failed for good; replay them with ml-connector replay ID.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this tenant.")
    var tenant: String?

    @Flag(help: "Include dead letters already replayed.")
    var all = false

    @Option(help: "At most this many.")
    var limit: Int = 100

    func run() async throws {
        try await withStore(global) { store in
            let letters = try await store.deadLetters(tenant: tenant, includeReplayed: all, limit: max(1, limit))
            if global.json {
                try Output.json(letters)
            } else {
                Output.table(["ID", "JOB", "KIND", "INTEGRATION", "ATTEMPTS", "AT", "KIND OF ERROR", "ERROR", "REPLAYED"], letters.map { letter in
                    [letter.id, letter.jobID, letter.kind, letter.integrationID ?? "-", "\(letter.attempts)", Output.time(letter.createdAt), letter.errorKind,
                     String(letter.error.prefix(80)), letter.replayJobID ?? "-"]
                })
            }
        }
    }
}
