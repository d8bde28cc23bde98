import Foundation

/// The subset of QuickBooks' query language the sandbox understands (api digest 1.4):
/// `SELECT * | COUNT(*) FROM <Entity> [WHERE a op v [AND …]] [ORDERBY f [ASC|DESC], …]
/// [STARTPOSITION n] [MAXRESULTS n]`, with `=`, `!=`, `<`, `>`, `<=`, `>=`, `IN (…)` and
/// `LIKE` (`%` only); no `OR`, no joins, no projections.
struct QuickBooksQuery: Equatable {
    struct Condition: Equatable {
        var field: [String]
        var op: String
        var values: [String]
    }

    var count: Bool
    var entity: String
    var conditions: [Condition]
    var order: [(field: [String], descending: Bool)]
    var startPosition: Int
    var maxResults: Int

    static func == (lhs: QuickBooksQuery, rhs: QuickBooksQuery) -> Bool {
        lhs.count == rhs.count && lhs.entity == rhs.entity && lhs.conditions == rhs.conditions && lhs.startPosition == rhs.startPosition && lhs.maxResults == rhs.maxResults
    }

    /// Why a statement was refused, worded as QBO's QueryParserError.
    struct ParseError: Error {
        var message: String
    }

    /// Parses a statement.
    static func parse(_ text: String) throws(ParseError) -> QuickBooksQuery {
        var tokens = try tokenize(text)
        func next() -> String? { tokens.isEmpty ? nil : tokens.removeFirst() }
        func expect(_ word: String) throws(ParseError) {
            guard next()?.uppercased() == word else { throw ParseError(message: "Encountered an error while parsing: expected \(word)") }
        }
        try expect("SELECT")
        let projection = next() ?? ""
        let count: Bool
        if projection == "*" {
            count = false
        } else if projection.uppercased() == "COUNT(*)" {
            count = true
        } else {
            throw ParseError(message: "Encountered an error while parsing: only SELECT * and SELECT COUNT(*) are supported")
        }
        try expect("FROM")
        guard let entity = next(), entity.allSatisfy({ $0.isLetter }) else { throw ParseError(message: "Encountered an error while parsing: expected an entity after FROM") }
        var query = QuickBooksQuery(count: count, entity: entity, conditions: [], order: [], startPosition: 1, maxResults: 100)
        while let word = next() {
            switch word.uppercased() {
            case "WHERE", "AND":
                query.conditions.append(try condition(&tokens))
            case "ORDERBY":
                repeat {
                    guard let field = next() else { throw ParseError(message: "Encountered an error while parsing: expected a field after ORDERBY") }
                    var descending = false
                    if let direction = tokens.first?.uppercased(), direction == "ASC" || direction == "DESC" {
                        descending = direction == "DESC"
                        tokens.removeFirst()
                    }
                    query.order.append((field.split(separator: ".").map(String.init), descending))
                } while tokens.first == "," && next() != nil
            case "STARTPOSITION":
                guard let value = next().flatMap(Int.init), value >= 1 else { throw ParseError(message: "Encountered an error while parsing: STARTPOSITION must be a number from 1") }
                query.startPosition = value
            case "MAXRESULTS":
                guard let value = next().flatMap(Int.init), value >= 1 else { throw ParseError(message: "Encountered an error while parsing: MAXRESULTS must be a number from 1") }
                // QBO: at most 1,000 rows per query (api digest 1.4).
                query.maxResults = min(value, 1000)
            case "OR":
                throw ParseError(message: "Encountered an error while parsing: OR is not supported")
            default:
                throw ParseError(message: "Encountered an error while parsing: unexpected \"\(word)\"")
            }
        }
        return query
    }

    private static func condition(_ tokens: inout [String]) throws(ParseError) -> Condition {
        guard tokens.count >= 3 else { throw ParseError(message: "Encountered an error while parsing: incomplete condition") }
        let field = tokens.removeFirst().split(separator: ".").map(String.init)
        let op = tokens.removeFirst().uppercased()
        switch op {
        case "=", "!=", "<", ">", "<=", ">=", "LIKE":
            return Condition(field: field, op: op, values: [try literal(tokens.removeFirst())])
        case "IN":
            guard tokens.first == "(" else { throw ParseError(message: "Encountered an error while parsing: IN takes a list in parentheses") }
            tokens.removeFirst()
            var values: [String] = []
            while let token = tokens.first, token != ")" {
                tokens.removeFirst()
                if token != "," { values.append(try literal(token)) }
            }
            guard !tokens.isEmpty else { throw ParseError(message: "Encountered an error while parsing: IN list is not closed") }
            tokens.removeFirst()
            return Condition(field: field, op: op, values: values)
        default:
            throw ParseError(message: "Encountered an error while parsing: unsupported operator \(op)")
        }
    }

    private static func literal(_ token: String) throws(ParseError) -> String {
        if token.hasPrefix("'") { return String(token.dropFirst().dropLast()) }
        guard token.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) || ["TRUE", "FALSE"].contains(token.uppercased()) else {
            throw ParseError(message: "Encountered an error while parsing: values must be quoted with '")
        }
        return token.lowercased()
    }

    /// Words, `'quoted'` literals (`\'` inside), and the punctuation `( ) ,` and operators.
    private static func tokenize(_ text: String) throws(ParseError) -> [String] {
        var tokens: [String] = []
        var characters = Array(text)[...]
        while let first = characters.first {
            if first.isWhitespace {
                characters.removeFirst()
            } else if first == "'" {
                var literal = "'"
                characters.removeFirst()
                var closed = false
                while let character = characters.popFirst() {
                    if character == "\\", let escaped = characters.popFirst() { literal.append(escaped); continue }
                    if character == "'" { closed = true; break }
                    literal.append(character)
                }
                guard closed else { throw ParseError(message: "Encountered an error while parsing: a quoted value is not closed") }
                tokens.append(literal + "'")
            } else if "(),".contains(first) {
                tokens.append(String(characters.removeFirst()))
            } else if "<>=!".contains(first) {
                var op = String(characters.removeFirst())
                if let second = characters.first, second == "=" || (op == "<" && second == ">") { op.append(characters.removeFirst()) }
                tokens.append(op == "<>" ? "!=" : op)
            } else {
                var word = ""
                while let character = characters.first, !character.isWhitespace, !"(),<>=!'".contains(character) { word.append(characters.removeFirst()) }
                // COUNT(*) stays one token.
                if word.uppercased() == "COUNT", characters.starts(with: "(*)") {
                    characters.removeFirst(3)
                    word += "(*)"
                }
                tokens.append(word)
            }
        }
        return tokens
    }
}

extension QuickBooksQuery {
    /// The value at a field path, matching names case-insensitively (`Metadata.LastUpdatedTime`
    /// is how clients spell `MetaData.LastUpdatedTime`, api digest 1.4).
    static func value(_ entity: JSONValue, at path: [String]) -> JSONValue? {
        var current: JSONValue? = entity
        for name in path {
            guard let fields = current?.object else { return nil }
            current = fields[name] ?? fields.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        // A reference compares by its value.
        if let reference = current?["value"] { return reference }
        return current
    }

    /// True when `entity` meets every condition.
    func matches(_ entity: JSONValue) -> Bool {
        conditions.allSatisfy { condition in
            guard let text = Self.value(entity, at: condition.field)?.text else { return false }
            switch condition.op {
            case "IN": return condition.values.contains { Self.compare(text, $0) == .orderedSame }
            case "LIKE":
                let pattern = "^" + NSRegularExpression.escapedPattern(for: condition.values[0]).replacingOccurrences(of: "%", with: ".*") + "$"
                return text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
            default:
                let order = Self.compare(text, condition.values[0])
                switch condition.op {
                case "=": return order == .orderedSame
                case "!=": return order != .orderedSame
                case "<": return order == .orderedAscending
                case ">": return order == .orderedDescending
                case "<=": return order != .orderedDescending
                default: return order != .orderedAscending
                }
            }
        }
    }

    /// Times compare as instants, numbers as numbers, anything else as case-insensitive text.
    static func compare(_ lhs: String, _ rhs: String) -> ComparisonResult {
        if lhs.count >= 10, rhs.count >= 10, let left = QuickBooksWorld.instant(lhs), let right = QuickBooksWorld.instant(rhs) {
            return left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
        }
        if let left = Decimal(string: lhs, locale: Locale(identifier: "en_US_POSIX")), let right = Decimal(string: rhs, locale: Locale(identifier: "en_US_POSIX")),
           lhs.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }), rhs.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) {
            return left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
        }
        return lhs.lowercased().compare(rhs.lowercased())
    }

    /// The matching entities in the requested order (by numeric Id unless told).
    func run(_ all: [JSONValue]) -> [JSONValue] {
        all.filter(matches).sorted { left, right in
            for (field, descending) in order {
                let order = Self.compare(Self.value(left, at: field)?.text ?? "", Self.value(right, at: field)?.text ?? "")
                if order != .orderedSame { return descending ? order == .orderedDescending : order == .orderedAscending }
            }
            return (Int(left["Id"]?.text ?? "") ?? 0) < (Int(right["Id"]?.text ?? "") ?? 0)
        }
    }
}
