/// The name of one non-secret connection setting (`workspace_gid`, `rate_limit`…), defined
/// once as a constant so that a writer and its readers cannot disagree on the spelling.
///
/// Shared keys live here; a system declares its own in its module
/// (`extension SettingKey { public static let workspaceGID = SettingKey("workspace_gid") }`).
public struct SettingKey: Hashable, Sendable, CustomStringConvertible {
    /// The key as stored in `Connection.settings`.
    public let rawValue: String

    /// Names a setting.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// The connection's own request limit (`100/1s`), overriding the provider's published one.
    public static let rateLimit = SettingKey("rate_limit")
    /// How the connection authenticates: `oauth` or `token`.
    public static let authStyle = SettingKey("auth")
}

/// The values of the `auth` setting.
public enum AuthStyle {
    /// An OAuth 2 credential.
    public static let oauth = "oauth"
    /// A long-lived token.
    public static let token = "token"
    /// A user name and password the system's client exchanges at the vendor's sign-in for a session.
    public static let session = "session"
}

extension Connection {
    /// A setting by its typed key.
    public subscript(setting key: SettingKey) -> String? {
        get { settings[key.rawValue] }
        set { settings[key.rawValue] = newValue }
    }

    /// A setting that must be present; the error names it and how to fix it.
    public func requiredSetting(_ key: SettingKey, fix: String) throws -> String {
        guard let value = settings[key.rawValue], !value.isEmpty else {
            throw ConnectorError.validation(field: "connection.\(key.rawValue)", message: "connection \(id) has no \(key.rawValue); \(fix)")
        }
        return value
    }

    /// True when the connection holds an OAuth credential (some vendor features need one).
    public var usesOAuth: Bool { self[setting: .authStyle] == "oauth" }
}
