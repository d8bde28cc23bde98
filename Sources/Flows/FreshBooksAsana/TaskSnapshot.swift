import Asana
import ConnectorKit
import Foundation

extension FreshBooksAsanaSession {
    /// The task as its change event carried it (the feed listed it whole) when that read is
    /// current for this job's start, else read from Asana: a thin webhook event, or an event that
    /// waited too long, costs one GET; a polled one costs none.
    func currentTask(gid: String, event: ChangeEvent?) async throws -> AsanaTask {
        if let listed = event?.record(as: AsanaTask.self, currentAt: context.now), listed.gid == gid { return listed }
        return try await asana.task(gid: gid)
    }
}
