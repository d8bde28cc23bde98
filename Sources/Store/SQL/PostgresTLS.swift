import Foundation
import PostgresNIO

/// The TLS a `postgres://` URL asks for, read the way libpq reads `sslmode` and `sslrootcert`
/// (https://www.postgresql.org/docs/current/libpq-ssl.html), as a plain value that tests can
/// compare without opening a connection.
public struct PostgresTLSChoice: Sendable, Equatable {
    /// Whether TLS is used.
    public enum Use: Sendable, Equatable {
        /// Never (`sslmode=disable`).
        case disable
        /// When the server offers it (`allow`, `prefer`, and no `sslmode` at all: libpq's default).
        case prefer
        /// Always; the connection fails without it (`require`, `verify-ca`, `verify-full`).
        case require
    }

    /// What is checked of the server's certificate.
    public enum Verification: Sendable, Equatable {
        /// Nothing: encryption against passive eavesdropping only.
        case none
        /// The chain up to a trusted root, not the host name (`verify-ca`, or `require` with
        /// `sslrootcert`, as libpq does).
        case chain
        /// The chain and that the certificate names the host (`verify-full`).
        case chainAndHostname
    }

    /// Whether TLS is used.
    public var use: Use
    /// What is verified.
    public var verification: Verification
    /// The trusted root certificates (PEM file); nil means the system's trust store.
    public var rootCertificatePath: String?

    /// Describes a choice.
    public init(use: Use, verification: Verification, rootCertificatePath: String?) {
        self.use = use
        self.verification = verification
        self.rootCertificatePath = rootCertificatePath
    }

    /// Reads `sslmode` and `sslrootcert` from a URL's query.
    ///
    /// - Throws: `StoreError.unavailable` naming the parameter for an unknown `sslmode`.
    public static func from(query items: [URLQueryItem]) throws -> PostgresTLSChoice {
        let mode = items.last(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let root = items.last(where: { $0.name == "sslrootcert" })?.value.flatMap { $0.isEmpty ? nil : $0 }
        switch mode {
        case "disable": return PostgresTLSChoice(use: .disable, verification: .none, rootCertificatePath: nil)
        case "allow", "prefer": return PostgresTLSChoice(use: .prefer, verification: .none, rootCertificatePath: root)
        case "require": return PostgresTLSChoice(use: .require, verification: root == nil ? .none : .chain, rootCertificatePath: root)
        case "verify-ca": return PostgresTLSChoice(use: .require, verification: .chain, rootCertificatePath: root)
        case "verify-full": return PostgresTLSChoice(use: .require, verification: .chainAndHostname, rootCertificatePath: root)
        default:
            throw StoreError.unavailable("sslmode=\(mode.prefix(20)) in --database-url is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
    }

    /// The NIOSSL configuration for this choice.
    public func tlsConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch verification {
        case .none: configuration.certificateVerification = .none
        case .chain: configuration.certificateVerification = .noHostnameVerification
        case .chainAndHostname: configuration.certificateVerification = .fullVerification
        }
        if let rootCertificatePath { configuration.trustRoots = .file(rootCertificatePath) }
        return configuration
    }

    /// The pool's TLS option.
    public func clientTLS() -> PostgresClient.Configuration.TLS {
        switch use {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration())
        case .require: .require(tlsConfiguration())
        }
    }

    /// The single connection's TLS option (the reachability probe).
    public func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch use {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: tlsConfiguration()))
        }
    }
}
