import Foundation

/// The record that one source record produced in a target system, with the hash of what was
/// last written there so that an unchanged mapping writes nothing (and a write of our own does
/// not echo back as new work).
public struct Link: Codable, Sendable, Equatable {
    /// The integration that made the link.
    public var integrationID: String
    /// The record the change came from.
    public var source: ExternalRef
    /// The record written for it.
    public var target: ExternalRef
    /// A digest of the content last written to the target.
    public var contentHash: String
    /// When the link was first made.
    public var createdAt: Date
    /// When the target was last written.
    public var updatedAt: Date

    /// Creates a link.
    public init(integrationID: String, source: ExternalRef, target: ExternalRef, contentHash: String, createdAt: Date = Date(), updatedAt: Date? = nil) {
        self.integrationID = integrationID
        self.source = source
        self.target = target
        self.contentHash = contentHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}
