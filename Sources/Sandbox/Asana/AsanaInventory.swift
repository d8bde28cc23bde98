import Foundation

extension AsanaSandbox {
    /// A task as the sandbox holds it, read without a request (a demo checks its outcome
    /// without spending API calls a person would not).
    public struct HeldTask: Sendable {
        public var gid: String
        public var name: String
        public var completed: Bool
        /// Custom field values by field gid, as stored (an enum's is the option gid).
        public var values: [String: JSONValue]
    }

    /// The tasks of a project, in creation order.
    public func heldTasks(project: String) -> [HeldTask] {
        world.withLockedValue { world in
            world.taskOrder.compactMap { gid -> HeldTask? in
                guard let task = world.tasks[gid], task["projects"]?.array?.contains(where: { $0["gid"]?.text == project }) == true else { return nil }
                return HeldTask(gid: gid, name: task["name"]?.text ?? "", completed: task["completed"]?.bool ?? false, values: world.taskValues[gid] ?? [:])
            }
        }
    }
}
