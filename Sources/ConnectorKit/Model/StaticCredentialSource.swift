/// A credential held in memory, for calls made before a connection is stored (identity lookup
/// while connecting). It cannot refresh, except to ask a client-credentials grant for a token.
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

    /// Only a client-credentials grant renews (it spends nothing that rotates); anything else is final.
    public func refresh(connectionID: String, staleVersion: Int64, renew: @Sendable (Credential) async throws -> Credential) async throws -> VersionedCredential {
        guard credential.kind == .clientCredentials else { return VersionedCredential(credential: credential, version: 1) }
        return VersionedCredential(credential: try await renew(credential), version: staleVersion + 1)
    }
}
