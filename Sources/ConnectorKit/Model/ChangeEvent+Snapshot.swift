import Foundation

extension ChangeEvent {
    /// How long after a feed read its snapshot still stands in for the record: a job that starts
    /// later (queued behind a backlog, or a retry) reads the record again.
    public static let snapshotLifetime: TimeInterval = 300

    /// This event with `record` attached as the snapshot the feed read at `readAt`.
    public func carrying(_ record: some Encodable, readAt: Date) -> ChangeEvent {
        guard let data = try? JSONEncoder().encode(record) else { return self }
        return carrying(json: String(decoding: data, as: UTF8.self), readAt: readAt)
    }

    /// This event with the vendor JSON `json` attached as the snapshot read at `readAt`.
    public func carrying(json: String, readAt: Date) -> ChangeEvent {
        var event = self
        event.snapshot = json
        event.snapshotAt = readAt
        return event
    }

    /// The snapshot decoded as `Record`, or nil when the event carries none (a thin webhook
    /// event) or it does not decode.
    public func record<Record: Decodable>(as type: Record.Type) -> Record? {
        guard let snapshot else { return nil }
        return try? JSONDecoder().decode(Record.self, from: Data(snapshot.utf8))
    }

    /// The snapshot decoded as `Record` when it was read within `snapshotLifetime` before `start`
    /// (a job's start): nil means the job must read the record itself.
    public func record<Record: Decodable>(as type: Record.Type, currentAt start: Date) -> Record? {
        guard let snapshotAt, start.timeIntervalSince(snapshotAt) <= Self.snapshotLifetime else { return nil }
        return record(as: type)
    }
}
