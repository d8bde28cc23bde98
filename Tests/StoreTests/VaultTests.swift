import Crypto
import Foundation
import Store
import TestSupport
import Testing

@Suite struct VaultTests {
    func randomKey() -> SymmetricKey { SymmetricKey(size: .bits256) }

    @Test func sealedSecretsOpenForTheirOwnRecord() throws {
        let vault = Vault(keyring: Keyring(keys: [randomKey()]))
        let envelope = try vault.seal(Data("refresh-token-xyz".utf8), context: "credential:fb-acme")
        #expect(!envelope.contains("refresh-token-xyz"))
        #expect(envelope.hasPrefix("v1.\(vault.keyring.activeKeyID)."))
        #expect(String(decoding: try vault.open(envelope, context: "credential:fb-acme"), as: UTF8.self) == "refresh-token-xyz")
        // The same secret sealed twice gives different envelopes (fresh data key and nonce).
        #expect(try vault.seal(Data("refresh-token-xyz".utf8), context: "credential:fb-acme") != envelope)
    }

    @Test func anyAlteredByteIsDetected() throws {
        let vault = Vault(keyring: Keyring(keys: [randomKey()]))
        let envelope = try vault.seal(Data("secret-value".utf8), context: "credential:a")
        let parts = envelope.split(separator: ".").map(String.init)
        for index in [2, 3] {
            var bytes = Array(Data(base64Encoded: parts[index])!)
            for position in [0, bytes.count / 2, bytes.count - 1] {
                var changed = bytes
                changed[position] ^= 0x01
                var altered = parts
                altered[index] = Data(changed).base64EncodedString()
                #expect(throws: VaultError.tampered(context: "credential:a")) { try vault.open(altered.joined(separator: "."), context: "credential:a") }
            }
            bytes.removeLast()
            var truncated = parts
            truncated[index] = Data(bytes).base64EncodedString()
            #expect(throws: VaultError.tampered(context: "credential:a")) { try vault.open(truncated.joined(separator: "."), context: "credential:a") }
        }
        #expect(throws: VaultError.malformed(context: "credential:a")) { try vault.open("not an envelope", context: "credential:a") }
    }

    @Test func anEnvelopeMovedToAnotherRecordDoesNotOpen() throws {
        let vault = Vault(keyring: Keyring(keys: [randomKey()]))
        let envelope = try vault.seal(Data("secret-value".utf8), context: "credential:a")
        #expect(throws: VaultError.tampered(context: "credential:b")) { try vault.open(envelope, context: "credential:b") }
    }

    @Test func theWrongMasterKeyIsAClearError() throws {
        let sealing = Vault(keyring: Keyring(keys: [randomKey()]))
        let envelope = try sealing.seal(Data("secret-value".utf8), context: "credential:a")
        let other = Vault(keyring: Keyring(keys: [randomKey()]))
        do {
            _ = try other.open(envelope, context: "credential:a")
            Issue.record("expected unknownKey")
        } catch let error as VaultError {
            #expect(error == .unknownKey(keyID: sealing.keyring.activeKeyID, context: "credential:a"))
            #expect("\(error)".contains("ML_CONNECTOR_MASTER_KEY"))
        }
    }

    @Test func rotationResealsAThousandSecrets() throws {
        let old = randomKey()
        let new = randomKey()
        let before = Vault(keyring: Keyring(keys: [old]))
        let envelopes = try (0..<1000).map { try before.seal(Data("secret-\($0)".utf8), context: "credential:c\($0)") }
        let during = Vault(keyring: Keyring(keys: [new, old]))
        let resealed = try envelopes.enumerated().map { try during.reseal($1, context: "credential:c\($0)") }
        let after = Vault(keyring: Keyring(keys: [new]))
        for (index, envelope) in resealed.enumerated() {
            #expect(after.keyID(of: envelope) == Keyring.keyID(of: new))
            #expect(String(decoding: try after.open(envelope, context: "credential:c\(index)"), as: UTF8.self) == "secret-\(index)")
        }
        #expect(throws: VaultError.self) { try after.open(envelopes[0], context: "credential:c0") }
    }

    @Test func theKeyFileIsCreatedOwnerOnlyAndReloadedWhenAnotherProcessRotates() throws {
        let directory = try TestDatabase.temporaryDirectory()
        let first = try Keyring.load(environment: [:], dataDirectory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/master.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let envelope = try Vault(keyring: first).seal(Data("s-value".utf8), context: "x")

        let second = try Keyring.load(environment: [:], dataDirectory: directory)
        #expect(second.activeKeyID == first.activeKeyID)
        let rotated = try second.addActiveKey()
        // The first keyring (another "process") follows the file: it seals with the new key and still opens old envelopes.
        #expect(first.activeKeyID == rotated)
        #expect(try Vault(keyring: first).open(envelope, context: "x") == Data("s-value".utf8))
    }

    @Test func aBadMasterKeySaysHowToMakeAGoodOne() {
        for value in ["short", Data(repeating: 1, count: 16).base64EncodedString()] {
            do {
                _ = try Keyring.load(environment: ["ML_CONNECTOR_MASTER_KEY": value], dataDirectory: "/nonexistent")
                Issue.record("expected failure for \(value)")
            } catch {
                #expect("\(error)".contains("openssl rand -base64 32"))
            }
        }
    }
}
