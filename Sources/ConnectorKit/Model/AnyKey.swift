/// A coding key for any name: for vendor objects whose keys are data (Jira's
/// `customfield_NNNNN`, a FreshBooks list under a resource-named key).
public struct AnyKey: CodingKey, Sendable, Hashable {
    public var stringValue: String
    public var intValue: Int? { nil }

    /// The key `string`.
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
