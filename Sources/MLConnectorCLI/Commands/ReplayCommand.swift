import ArgumentParser
import Foundation
import Store

/// `ml-connector replay ID`: runs a dead letter, or any past job, again.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Run a dead letter or a past job again (by dead-letter or job id).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A dead-letter id or a job id.")
    var id: String

    func run() async throws {
        try await withStore(global) { store in
            let jobID = try await store.replay(id: id, now: Date())
            if global.json {
                try Output.json(["replayed": id, "job": jobID])
            } else {
                print("queued job \(jobID) to replay \(id); a running server picks it up (follow it with: ml-connector audit --job \(jobID))")
            }
        }
    }
}
