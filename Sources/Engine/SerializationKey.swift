import ConnectorKit

/// The coalescing keys that serialize writes. Jobs with one key never run at once (a database
/// guarantee) and fold together while pending; every job that writes to one target aggregate
/// must use the aggregate's key, or two of them can both find no link and both create.
public enum SerializationKey {
    /// The key of every write to the aggregate rooted at `root` in an integration (one Asana
    /// project's FreshBooks client, project, expenses and invoices).
    public static func aggregate(integrationID: String, root: ExternalRef) -> String { "aggregate:\(integrationID):\(root)" }
}
