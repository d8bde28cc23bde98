/// The name of an external system (`freshbooks`, `asana`, …).
///
/// Open, not an enum: each system module declares its own constant
/// (`extension SystemKind { public static let asana = SystemKind("asana") }`) beside its
/// connector, so adding a system never edits shared code.
public struct SystemKind: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The lower-case name used in the CLI, URLs and the store.
    public let rawValue: String

    /// A system by name as written in the CLI, URLs and the store (case-insensitive).
    public init(_ rawValue: String) {
        self.rawValue = rawValue.lowercased()
    }

    /// A system that is not built in (a test double, a user's own connector).
    public static func custom(_ name: String) -> SystemKind { SystemKind(name) }

    public var description: String { rawValue }

    public static func < (lhs: SystemKind, rhs: SystemKind) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
