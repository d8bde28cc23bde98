/// A reference to one record in one external system: `asana:task:1200000000000001`.
public struct ExternalRef: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The system that owns the record.
    public var system: SystemKind
    /// The vendor's resource type (`task`, `invoice`, `client`…).
    public var type: String
    /// The vendor's identifier of the record.
    public var id: String

    /// Creates a reference.
    public init(system: SystemKind, type: String, id: String) {
        self.system = system
        self.type = type
        self.id = id
    }

    /// Creates a reference: `ExternalRef(.asana, "task", gid)`. Systems add typed constructors
    /// (`.asana(.task, gid)`) so a resource type is never spelled twice.
    public init(_ system: SystemKind, _ type: String, _ id: String) {
        self.init(system: system, type: type, id: id)
    }

    /// Parses the `system:type:id` form; the id may itself contain colons.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        self.init(system: SystemKind(String(parts[0])), type: String(parts[1]), id: String(parts[2]))
    }

    /// The `system:type:id` form used in the store, the CLI and audit entries.
    public var description: String { "\(system.rawValue):\(type):\(id)" }

    public static func < (lhs: ExternalRef, rhs: ExternalRef) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let ref = ExternalRef(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not system:type:id"))
        }
        self = ref
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
