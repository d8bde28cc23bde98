/// What the retention sweep deletes by age. Dead letters that were never replayed are not a
/// target: they stay until replayed or discarded by a person.
public enum RetentionTarget: String, Sendable, CaseIterable {
    /// Webhook inbox rows (the record of event ids already received), by arrival.
    case inbox
    /// Jobs that succeeded or were merged into another, by their last update.
    case finishedJobs
    /// Dead letters already replayed, by the time of the replay.
    case replayedDeadLetters
    /// Audit entries, by the time they were written.
    case audit
    /// Intents a completed job confirmed, by their last update (open intents stay: their effect
    /// is uncertain until a later attempt looks).
    case doneIntents
}
