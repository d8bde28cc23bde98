import ArgumentParser
import Store

/// `ml-connector dead-letters`: jobs that failed for good, with their context.
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "List jobs that failed for good; replay them with ml-connector replay ID.",
        subcommands: [DeadLettersList.self, DeadLettersDiscard.self], defaultSubcommand: DeadLettersList.self
    )
}

/// `dead-letters list` (the default): dead letters, newest first.
struct DeadLettersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs that failed for good.")

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

/// `dead-letters discard ID`: gives up on a dead letter for good. Dead letters are otherwise
/// kept until replayed; retention never ages them out unreplayed.
struct DeadLettersDiscard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "discard", abstract: "Delete a dead letter that will not be replayed.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The dead letter's id (or its job's id).")
    var id: String

    func run() async throws {
        try await withStore(global) { store in
            let letter = try await store.discardDeadLetter(id: id)
            if global.json {
                try Output.json(["discarded": letter.id, "job": letter.jobID, "kind": letter.kind])
            } else {
                print("discarded dead letter \(letter.id) (job \(letter.jobID), \(letter.kind))")
            }
        }
    }
}
