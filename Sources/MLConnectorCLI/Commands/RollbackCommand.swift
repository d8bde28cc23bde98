import ArgumentParser
import Flows
import Foundation
import Store

/// `ml-connector rollback ID`: undoes what the change behind a job (or an audit entry) made,
/// as a job of its own (audited, retried, replayable).
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Undo what one change made (by job id or audit entry id); replay the job to make it again.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A change job's id, or the id of an audit entry of one.")
    var id: String

    func run() async throws {
        try await withStore(global) { store in
            let components = Components(store: store)
            let request = try await Rollback.request(for: id, store: store, registry: components.integrations, pipeline: components.catalog.pipeline)
            let enqueued = try await store.enqueue(request)
            if global.json {
                try Output.json(["rollback": id, "job": enqueued.jobID])
            } else {
                print("queued rollback job \(enqueued.jobID) for \(id); a running server picks it up (follow it with: ml-connector audit --job \(enqueued.jobID))")
            }
        }
    }
}
