/// A credential held in memory, for calls made before a connection is stored (identity lookup
/// while connecting). It cannot refresh: a 401 is final.
public struct StaticCredentialSource: CredentialSource {
    /// The credential.
    public let credential: Credential

    /// Wraps a credential.
    public init(_ credential: Credential) {
        self.credential = credential
    }

    public func credential(for connectionID: String) async throws -> VersionedCredential {
        VersionedCredential(credential: credential, version: 1)
    }

    public func refresh(connectionID: String, staleVersion: Int64, renew: @Sendable (Credential) async throws -> Credential) async throws -> VersionedCredential {
        VersionedCredential(credential: credential, version: 1)
    }
}
