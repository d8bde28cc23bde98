import Crypto
import Foundation

/// Seals and opens secrets with AES-256-GCM envelope encryption.
///
/// Each secret gets its own random data key; the data key is sealed under the active master
/// key, whose id the envelope names. Both seals authenticate the record the secret belongs to
/// (`context`), so an envelope copied onto another record does not open. Rotation re-seals only
/// the small data key. Envelope text: `v1.<keyId>.<sealed data key>.<sealed secret>` (base64).
public final class Vault: Sendable {
    /// The master keys.
    public let keyring: Keyring

    /// Creates a vault over a keyring.
    public init(keyring: Keyring) {
        self.keyring = keyring
    }

    /// Seals `plaintext` for the record named by `context` (`credential:fb-acme`).
    public func seal(_ plaintext: Data, context: String) throws -> String {
        let (keyID, masterKey) = keyring.activeKey()
        let dataKey = SymmetricKey(size: .bits256)
        let sealedKey = try dataKey.withUnsafeBytes { bytes in
            try AES.GCM.seal(Data(bytes), using: masterKey, authenticating: Data("\(keyID)|\(context)".utf8)).combined!
        }
        let sealedSecret = try AES.GCM.seal(plaintext, using: dataKey, authenticating: Data(context.utf8)).combined!
        return ["v1", keyID, sealedKey.base64EncodedString(), sealedSecret.base64EncodedString()].joined(separator: ".")
    }

    /// Opens an envelope sealed for `context`.
    /// - Throws: `VaultError.unknownKey` for a key this process lacks, `.tampered` for any
    ///   change to the envelope or a different context, `.malformed` for text that is no envelope.
    public func open(_ envelope: String, context: String) throws -> Data {
        let parts = try split(envelope, context: context)
        let dataKey = try openDataKey(parts, context: context)
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: parts.sealedSecret), using: dataKey, authenticating: Data(context.utf8))
        } catch {
            throw VaultError.tampered(context: context)
        }
    }

    /// Seals a Codable value as JSON.
    public func seal<Value: Encodable>(json value: Value, context: String) throws -> String {
        try seal(try JSONEncoder().encode(value), context: context)
    }

    /// Opens an envelope holding JSON.
    public func open<Value: Decodable>(json envelope: String, as type: Value.Type, context: String) throws -> Value {
        let data = try open(envelope, context: context)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw VaultError.malformed(context: context)
        }
    }

    /// The master key id an envelope was sealed with.
    public func keyID(of envelope: String) -> String? {
        let parts = envelope.split(separator: ".")
        return parts.count == 4 && parts[0] == "v1" ? String(parts[1]) : nil
    }

    /// Re-seals an envelope's data key under the active master key; the secret is untouched.
    public func reseal(_ envelope: String, context: String) throws -> String {
        let parts = try split(envelope, context: context)
        let (activeID, masterKey) = keyring.activeKey()
        if parts.keyID == activeID { return envelope }
        let dataKey = try openDataKey(parts, context: context)
        // Prove the secret opens before the old key can be pruned.
        _ = try open(envelope, context: context)
        let sealedKey = try dataKey.withUnsafeBytes { bytes in
            try AES.GCM.seal(Data(bytes), using: masterKey, authenticating: Data("\(activeID)|\(context)".utf8)).combined!
        }
        return ["v1", activeID, sealedKey.base64EncodedString(), parts.sealedSecret.base64EncodedString()].joined(separator: ".")
    }

    private struct Parts {
        var keyID: String
        var sealedKey: Data
        var sealedSecret: Data
    }

    private func split(_ envelope: String, context: String) throws -> Parts {
        let parts = envelope.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1" else { throw VaultError.malformed(context: context) }
        guard let sealedKey = Data(base64Encoded: String(parts[2])), let sealedSecret = Data(base64Encoded: String(parts[3])) else {
            throw VaultError.tampered(context: context)
        }
        return Parts(keyID: String(parts[1]), sealedKey: sealedKey, sealedSecret: sealedSecret)
    }

    private func openDataKey(_ parts: Parts, context: String) throws -> SymmetricKey {
        guard let masterKey = keyring.key(id: parts.keyID) else {
            throw VaultError.unknownKey(keyID: parts.keyID, context: context)
        }
        do {
            let box = try AES.GCM.SealedBox(combined: parts.sealedKey)
            return SymmetricKey(data: try AES.GCM.open(box, using: masterKey, authenticating: Data("\(parts.keyID)|\(context)".utf8)))
        } catch {
            throw VaultError.tampered(context: context)
        }
    }
}
