/// The job kinds every system shares, named once so that a producer (the ingress, `apply`,
/// the CLI) and the handler that runs the job cannot disagree on the spelling.
public enum SystemJobKind {
    /// Polls one change feed of one connection.
    public static let poll = "poll"
    /// Keeps a connection's webhook subscriptions alive at the vendor.
    public static let webhookUpkeep = "webhook.upkeep"
    /// Sends a vendor's verifier back to it (FreshBooks callbacks).
    public static let webhookConfirm = "webhook.confirm"
    /// Runs one system action for the CLI's `--queue`.
    public static let action = "system.action"

    /// The coalescing key of a webhook confirmation for a subscription.
    public static func confirmKey(subscriptionID: String) -> String { "webhook-confirm:\(subscriptionID)" }
}
