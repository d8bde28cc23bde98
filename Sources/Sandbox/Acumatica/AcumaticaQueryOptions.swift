import Foundation

/// `$filter`, `$select` and `$expand` as the instance reads them (api digest 2.4): OData
/// comparisons (`eq ne gt ge lt le`) joined by `and`, on top-level fields only (filtering on
/// detail records is unsupported); literals `'text'`, `datetimeoffset'…'`, numbers, booleans.
struct AcumaticaQueryOptions: Sendable {
    struct Term: Sendable {
        var field: String
        var op: String
        var literal: String
        var isDate: Bool
    }

    /// Why a `$filter` could not be read (answered 400).
    struct Unreadable: Error { var reason: String }

    var terms: [Term] = []
    var select: [String] = []
    var expand: Set<String> = []

    init(query: [(String, String)]) throws(Unreadable) {
        for (name, value) in query {
            switch name {
            case "$filter": terms = try Self.parse(value)
            case "$select": select = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "$expand": expand = Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            default: continue
            }
        }
    }

    static func parse(_ filter: String) throws(Unreadable) -> [Term] {
        let pattern = #/^\s*([A-Za-z0-9_/]+)\s+(eq|ne|gt|ge|lt|le)\s+(datetimeoffset'[^']*'|'(?:[^']|'')*'|-?[0-9.]+|true|false)\s*$/#
        var terms: [Term] = []
        for part in split(filter) {
            guard let match = part.wholeMatch(of: pattern) else { throw Unreadable(reason: "The $filter expression '\(part)' is not supported.") }
            let field = String(match.1)
            guard !field.contains("/") || field.hasPrefix("MainContact") else { throw Unreadable(reason: "Filtering on detail records is not supported.") }
            var literal = String(match.3)
            let isDate = literal.hasPrefix("datetimeoffset'")
            if isDate { literal = String(literal.dropFirst("datetimeoffset'".count).dropLast()) } else if literal.hasPrefix("'") {
                literal = String(literal.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            }
            terms.append(Term(field: field, op: String(match.2), literal: literal, isDate: isDate))
        }
        return terms
    }

    /// Splits on ` and ` outside quotes.
    private static func split(_ filter: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var index = filter.startIndex
        while index < filter.endIndex {
            if filter[index] == "'" { quoted.toggle() }
            if !quoted, filter[index...].hasPrefix(" and ") {
                parts.append(current)
                current = ""
                index = filter.index(index, offsetBy: 5)
                continue
            }
            current.append(filter[index])
            index = filter.index(after: index)
        }
        parts.append(current)
        return parts
    }

    /// True when `record` satisfies every term.
    func matches(_ record: JSONValue) -> Bool {
        terms.allSatisfy { term in
            let value = record[term.field]?["value"]
            let order: ComparisonResult?
            if term.isDate {
                guard let text = value?.text, let left = Self.date(text), let right = Self.date(term.literal) else { return false }
                order = left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
            } else if let left = value?.decimal, let right = Decimal(string: term.literal) {
                order = left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
            } else {
                order = (value?.text ?? "").compare(term.literal)
            }
            switch (term.op, order) {
            case ("eq", .orderedSame?), ("ne", .orderedAscending?), ("ne", .orderedDescending?), ("gt", .orderedDescending?), ("ge", .orderedDescending?), ("ge", .orderedSame?),
                 ("lt", .orderedAscending?), ("le", .orderedAscending?), ("le", .orderedSame?): return true
            default: return false
            }
        }
    }

    /// The record as answered: detail arrays only when expanded (contract v4), only the
    /// selected fields when `$select` names some; system fields always.
    func shape(_ record: JSONValue, rowNumber: Int) -> JSONValue {
        guard var fields = record.object else { return record }
        for (key, value) in fields where value.array != nil && !expand.contains(key) { fields[key] = nil }
        if !select.isEmpty {
            let top = Set(select.map { String($0.split(separator: "/").first ?? "") })
            for key in fields.keys where !top.contains(key) && !["id", "rowNumber", "note", "custom"].contains(key) { fields[key] = nil }
            for (key, value) in fields {
                guard let lines = value.array else { continue }
                let wanted = Set(select.filter { $0.hasPrefix(key + "/") }.map { String($0.dropFirst(key.count + 1)) })
                guard !wanted.isEmpty else { continue }
                fields[key] = .array(lines.map { line in .object((line.object ?? [:]).filter { wanted.contains($0.key) || ["id", "rowNumber"].contains($0.key) }) })
            }
        }
        fields["rowNumber"] = .int(rowNumber)
        if let lines = fields["Details"]?.array {
            fields["Details"] = .array(lines.enumerated().map { index, line in
                var line = line
                line["rowNumber"] = .int(index + 1)
                return line
            })
        }
        return .object(fields)
    }

    static func date(_ text: String) -> Date? {
        guard WireTime.isReadable(text) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }
}
