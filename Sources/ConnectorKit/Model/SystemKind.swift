/// The external systems ml-connector talks to.
///
/// `custom` names a system that is not built in (a test double, or a future connector) so the
/// foundation never needs a vendor-specific case to run.
public enum SystemKind: Hashable, Sendable, Codable, CustomStringConvertible {
    case freshbooks
    case asana
    case quickbooks
    case acumatica
    case jira
    case custom(String)

    /// The built-in systems, in the order they are shown to a user.
    public static let builtIn: [SystemKind] = [.freshbooks, .asana, .quickbooks, .acumatica, .jira]

    /// Parses a system name as written in the CLI, URLs and the store (`freshbooks`, `asana`, …).
    public init(_ rawValue: String) {
        switch rawValue.lowercased() {
        case "freshbooks": self = .freshbooks
        case "asana": self = .asana
        case "quickbooks", "qbo": self = .quickbooks
        case "acumatica": self = .acumatica
        case "jira": self = .jira
        default: self = .custom(rawValue.lowercased())
        }
    }

    /// The lower-case name used in the CLI, URLs and the store.
    public var rawValue: String {
        switch self {
        case .freshbooks: "freshbooks"
        case .asana: "asana"
        case .quickbooks: "quickbooks"
        case .acumatica: "acumatica"
        case .jira: "jira"
        case .custom(let name): name
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
