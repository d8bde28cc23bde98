/// Why the vault could not seal or open a secret; every message says what to do.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The master key given is not 32 bytes of base64.
    case invalidMasterKey(String)
    /// The envelope names a key this process does not have.
    case unknownKey(keyID: String, context: String)
    /// The envelope does not authenticate: altered, truncated, or moved to another record.
    case tampered(context: String)
    /// The envelope is not in a format this build reads.
    case malformed(context: String)
    /// The key file cannot be read or written.
    case keyFile(String)

    public var description: String {
        switch self {
        case .invalidMasterKey(let detail):
            "ML_CONNECTOR_MASTER_KEY must be 32 random bytes in base64 (make one with: openssl rand -base64 32); \(detail)"
        case .unknownKey(let keyID, let context):
            "the secret of \(context) was sealed with master key \(keyID), which this process does not have; start it with that key (ML_CONNECTOR_MASTER_KEY, ML_CONNECTOR_PREVIOUS_MASTER_KEYS or the data directory's master.key)"
        case .tampered(let context):
            "the secret of \(context) failed its integrity check: it was altered or belongs to another record; store the credential again"
        case .malformed(let context):
            "the secret of \(context) is not a vault envelope; store the credential again"
        case .keyFile(let detail):
            "master key file: \(detail)"
        }
    }
}
