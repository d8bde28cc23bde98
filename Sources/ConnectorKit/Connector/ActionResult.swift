import Foundation

/// A record an action read or wrote, as the CLI prints it: JSON, or a row of a table.
public protocol ActionRecord: Encodable, Sendable {
    /// The column headings of this record type's table.
    static var columns: [String] { get }
    /// This record's cells, in `columns` order.
    var row: [String] { get }
    /// The record's reference, for the audit trail.
    var ref: ExternalRef { get }
}

/// What one action run produced: records of one type under a name, and for a trigger the
/// cursor its next run starts from.
public struct ActionResult: Sendable, Encodable {
    /// The JSON key the records are listed under (`invoices`, `changed_tasks`).
    public var name: String
    /// The records, in the order the vendor gave them.
    public var records: [any ActionRecord]
    /// The table headings.
    public var columns: [String]
    /// A trigger's next cursor.
    public var cursor: String?

    /// A result of `records` under `name`.
    public init<Record: ActionRecord>(_ name: String, _ records: [Record], cursor: String? = nil) {
        self.name = name
        self.records = records
        self.columns = Record.columns
        self.cursor = cursor
    }

    /// The first record written or read, for the audit trail.
    public var firstRef: String? { records.first?.ref.description }

    /// The table rows.
    public var rows: [[String]] { records.map(\.row) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        var list = container.nestedUnkeyedContainer(forKey: AnyKey(name))
        for record in records { try list.encode(record) }
    }
}
