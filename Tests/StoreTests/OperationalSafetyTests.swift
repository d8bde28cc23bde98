import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

@Suite struct PostgresTLSTests {
    func choice(_ query: String) throws -> PostgresTLSChoice {
        try PostgresTLSChoice.from(query: URLComponents(string: "postgres://u@h/db?\(query)")?.queryItems ?? [])
    }

    @Test func sslModesBehaveAsLibpqDocuments() throws {
        #expect(try choice("sslmode=disable") == PostgresTLSChoice(use: .disable, verification: .none, rootCertificatePath: nil))
        #expect(try choice("") == PostgresTLSChoice(use: .prefer, verification: .none, rootCertificatePath: nil))
        #expect(try choice("sslmode=prefer") == PostgresTLSChoice(use: .prefer, verification: .none, rootCertificatePath: nil))
        #expect(try choice("sslmode=require") == PostgresTLSChoice(use: .require, verification: .none, rootCertificatePath: nil))
        #expect(try choice("sslmode=require&sslrootcert=/etc/ca.pem") == PostgresTLSChoice(use: .require, verification: .chain, rootCertificatePath: "/etc/ca.pem"))
        #expect(try choice("sslmode=verify-ca") == PostgresTLSChoice(use: .require, verification: .chain, rootCertificatePath: nil))
        #expect(try choice("sslmode=verify-full&sslrootcert=/etc/ca.pem") == PostgresTLSChoice(use: .require, verification: .chainAndHostname, rootCertificatePath: "/etc/ca.pem"))
        #expect(throws: StoreError.self) { try choice("sslmode=verify-everything") }
    }

    @Test func verificationReachesTheTLSConfiguration() throws {
        #expect(try choice("sslmode=require").tlsConfiguration().certificateVerification == .none)
        #expect(try choice("sslmode=verify-ca").tlsConfiguration().certificateVerification == .noHostnameVerification)
        #expect(try choice("sslmode=verify-full").tlsConfiguration().certificateVerification == .fullVerification)
    }
}

@Suite(.serialized) struct KeyFileTests {
    @Test func theKeyFileIs0600EvenUnderUmask000() throws {
        let directory = try TestDatabase.temporaryDirectory()
        let previous = umask(0)
        defer { umask(previous) }
        let keyring = try Keyring.load(environment: [:], dataDirectory: directory)
        var info = stat()
        #expect(stat(directory + "/master.key", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        _ = try keyring.addActiveKey()
        #expect(stat(directory + "/master.key", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func concurrentRotationsKeepEveryKey() async throws {
        let directory = try TestDatabase.temporaryDirectory()
        _ = try Keyring.load(environment: [:], dataDirectory: directory)
        let added = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let keyring = try Keyring.load(environment: [:], dataDirectory: directory)
                    return try await keyring.withRotationLock { try keyring.addActiveKey() }
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        let reloaded = try Keyring.load(environment: [:], dataDirectory: directory)
        #expect(added.isSubset(of: Set(reloaded.knownKeyIDs)))
    }
}

@Suite struct RedactorLifetimeTests {
    @Test func oneOffValuesNeverPushOutLongLivedSecrets() {
        let redactor = SecretRedactor()
        redactor.register(["client-secret-long-lived-1"])
        redactor.register(Credential(kind: .apiToken, accessToken: "personal-access-token-9"))
        for index in 0..<12_000 {
            redactor.register(["one-off-value-\(index)"], lifetime: .oneOff)
        }
        let text = redactor.redact("client-secret-long-lived-1 personal-access-token-9 one-off-value-0 one-off-value-11999")
        #expect(!text.contains("client-secret-long-lived-1") && !text.contains("personal-access-token-9"))
        #expect(!text.contains("one-off-value-11999"))
    }
}
