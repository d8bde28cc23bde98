import ConnectorKit
import Foundation

/// The query options of a `GET` (and the response shape of a `PUT`): `$filter`, `$select`,
/// `$expand` (api digest 2.4). In contract v4 a detail array comes back only when named in
/// `$expand`, so one record costs one read when the query says what it needs.
public struct AcumaticaQuery: Sendable, Equatable {
    /// An OData `$filter` (see `AcumaticaFilter`).
    public var filter: String?
    /// Fields to return (`ReferenceNbr`, `Details/Qty`); empty: all.
    public var select: [String]
    /// Detail and linked entities to return (`Details`).
    public var expand: [String]

    /// Describes a query.
    public init(filter: String? = nil, select: [String] = [], expand: [String] = []) {
        self.filter = filter
        self.select = select
        self.expand = expand
    }

    /// The options as query items.
    var items: [(String, String)] {
        var items: [(String, String)] = []
        if let filter { items.append(("$filter", filter)) }
        if !select.isEmpty { items.append(("$select", select.joined(separator: ","))) }
        if !expand.isEmpty { items.append(("$expand", expand.joined(separator: ","))) }
        return items
    }
}

/// `$filter` expressions in OData URI conventions (digest 2.4), with literals quoted here once.
public enum AcumaticaFilter {
    /// `Field eq 'value'` (a quote inside the value is doubled, as OData escapes it).
    public static func equals(_ field: String, _ value: String) -> String {
        "\(field) eq '\(value.replacingOccurrences(of: "'", with: "''"))'"
    }

    /// `LastModifiedDateTime gt datetimeoffset'…'`: the incremental-sync filter.
    public static func modified(after date: Date) -> String {
        "LastModifiedDateTime gt \(AcumaticaDate.filterLiteral(date))"
    }

    /// Terms joined with `and`.
    public static func all(_ terms: [String]) -> String {
        terms.joined(separator: " and ")
    }
}
