/// Failures of the store and the vault, each with a message a user can act on.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database cannot be opened or reached.
    case unavailable(String)
    /// A record that must exist does not.
    case notFound(String)
    /// A record with that identity exists already.
    case duplicate(String)
    /// The job's lease was lost (another worker holds it now); the attempt's writes are discarded.
    case leaseLost(jobID: String)
    /// A stored value cannot be read.
    case corrupt(String)
    /// The database has migrations newer than this build knows.
    case schemaTooNew(database: Int, known: Int)
    /// The request is refused because of the records it would affect.
    case refused(String)

    public var description: String {
        switch self {
        case .unavailable(let message): message
        case .notFound(let message): "not found: \(message)"
        case .duplicate(let message): "already exists: \(message)"
        case .leaseLost(let jobID): "job \(jobID) lost its lease to another worker; this attempt's writes were discarded"
        case .corrupt(let message): "stored data unreadable: \(message)"
        case .schemaTooNew(let database, let known): "the database is at schema version \(database) but this build knows only up to \(known); upgrade ml-connector"
        case .refused(let message): message
        }
    }
}
