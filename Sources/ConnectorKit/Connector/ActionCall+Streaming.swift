import Foundation

extension ActionCall {
    /// Reads every record of `records` under `name`: handed to `emit` one by one as each page
    /// arrives when the caller streams (the result then lists none, so memory stays flat however
    /// long the list), else collected into the result.
    public func list<Record: ActionRecord>(_ name: String, _ records: Paged<Record>) async throws -> ActionResult {
        guard let emit else { return ActionResult(name, try await records.collect()) }
        for try await record in records { try await emit(name, record) }
        return ActionResult(name, [Record]())
    }

    /// As `list(_:_:)` for records from several lists in turn (every project of a workspace),
    /// each record once even when two lists hold it.
    public func list<Record: ActionRecord>(_ name: String, _ lists: [Paged<Record>], identity: (Record) -> String) async throws -> ActionResult {
        var seen = Set<String>()
        var collected: [Record] = []
        for records in lists {
            for try await record in records where seen.insert(identity(record)).inserted {
                if let emit { try await emit(name, record) } else { collected.append(record) }
            }
        }
        return ActionResult(name, collected)
    }
}
