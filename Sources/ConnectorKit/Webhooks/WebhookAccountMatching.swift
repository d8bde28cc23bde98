/// A verifier whose deliveries name a vendor account in more than one way says which
/// connection an event's `accountRef` belongs to (FreshBooks: `account_id` for accounting
/// events, `business_id` for projects and time). Verifiers without it match `accountRef` to
/// `Connection.accountRef`.
public protocol WebhookAccountMatching: WebhookVerifier {
    /// True when `connection` is the connection of the account a delivery names as `account`.
    func connection(_ connection: Connection, hasAccount account: String) -> Bool
}

extension WebhookVerifier {
    /// True when `connection` is the connection of the account a delivery names as `account`:
    /// the verifier's own rule, or the connection's `accountRef`.
    public func matches(_ connection: Connection, account: String) -> Bool {
        if let matching = self as? any WebhookAccountMatching { return matching.connection(connection, hasAccount: account) }
        return connection.accountRef == account
    }
}
