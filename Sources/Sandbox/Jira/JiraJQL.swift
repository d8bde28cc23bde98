import Foundation

/// The part of JQL the sandbox understands: clauses joined by `AND` over `project`, `key`/`issuekey`,
/// `id`, `labels`, `issuetype`/`type`, `status`, `summary ~`, `assignee`, `reporter`, `parent`,
/// `created` and `updated` (`=`, `!=`, `>`, `>=`, `<`, `<=`, `in`, `~`), then `ORDER BY`.
/// Dates are `"yyyy-MM-dd HH:mm"` or `"yyyy-MM-dd"` in the user's time zone (digest 3.4).
struct JiraJQL {
    struct Clause {
        var field: String
        var op: String
        var values: [String]
    }

    var clauses: [Clause]
    var order: [(field: String, ascending: Bool)]

    /// Why a query was refused, in Jira's words.
    struct Problem: Error {
        var message: String
    }

    static let fields: Set<String> = ["project", "key", "issuekey", "id", "labels", "issuetype", "type", "status", "summary", "assignee", "reporter", "parent", "created", "updated"]

    /// Parses `text`; an unbounded query (no clause) is refused, as on Jira Cloud.
    static func parse(_ text: String) throws(Problem) -> JiraJQL {
        var tokens = tokenize(text)
        var clauses: [Clause] = []
        var order: [(String, Bool)] = []
        while !tokens.isEmpty {
            if tokens[0].lowercased() == "order", tokens.count > 1, tokens[1].lowercased() == "by" {
                tokens.removeFirst(2)
                while !tokens.isEmpty {
                    let field = tokens.removeFirst().lowercased()
                    var ascending = true
                    if let next = tokens.first?.lowercased(), next == "asc" || next == "desc" { ascending = tokens.removeFirst().lowercased() == "asc" }
                    order.append((field, ascending))
                    if tokens.first == "," { tokens.removeFirst() }
                }
                break
            }
            if tokens[0].lowercased() == "and" { tokens.removeFirst(); continue }
            guard tokens.count >= 3 else { throw Problem(message: "Error in the JQL Query: Expecting an operator but got the end of the query.") }
            let field = tokens.removeFirst().lowercased()
            guard fields.contains(field) || field.hasPrefix("cf[") || field.hasPrefix("customfield_") else {
                throw Problem(message: "Field '\(field)' does not exist or you do not have permission to view it.")
            }
            var op = tokens.removeFirst().lowercased()
            if op == "not", tokens.first?.lowercased() == "in" { tokens.removeFirst(); op = "not in" }
            var values: [String] = []
            if op == "in" || op == "not in" {
                guard tokens.first == "(" else { throw Problem(message: "Error in the JQL Query: Expecting '(' after '\(op)'.") }
                tokens.removeFirst()
                while let token = tokens.first, token != ")" {
                    tokens.removeFirst()
                    if token != "," { values.append(token) }
                }
                if !tokens.isEmpty { tokens.removeFirst() }
            } else {
                values = [tokens.removeFirst()]
            }
            // Jira refuses a date it cannot read rather than matching nothing (relative periods
            // such as "-5d" and functions such as now() are not emulated: refused as well).
            if field == "created" || field == "updated", let bad = values.first(where: { date($0, timeZone: "UTC") == nil }) {
                throw Problem(message: "Date value '\(bad)' for field '\(field)' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd'.")
            }
            clauses.append(Clause(field: field, op: op, values: values))
        }
        guard !clauses.isEmpty else { throw Problem(message: "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.") }
        guard order.count <= 7 else { throw Problem(message: "The ORDER BY clause may name at most 7 fields.") }
        return JiraJQL(clauses: clauses, order: order)
    }

    /// Words, quoted strings (quotes removed) and the punctuation `(`, `)`, `,`, operators.
    static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quote: Character?
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open { tokens.append(current); current = ""; quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                flush()
                quote = character
            } else if character == " " || character == "\n" || character == "\t" {
                flush()
            } else if "(),".contains(character) {
                flush()
                tokens.append(String(character))
            } else if "=!<>~".contains(character) {
                flush()
                var op = String(character)
                if characters.first == "=" { op.append(characters.removeFirst()) }
                tokens.append(op)
            } else {
                current.append(character)
            }
        }
        flush()
        return tokens
    }

    /// True when the issue (as search has indexed it) matches every clause.
    func matches(_ issue: JiraWorld.Issue, fields: [String: JSONValue], world: JiraWorld) -> Bool {
        clauses.allSatisfy { clause in
            switch clause.field {
            case "created", "updated":
                let moment = clause.field == "created" ? issue.created : issue.updated
                guard let bound = clause.values.first.flatMap({ Self.date($0, timeZone: world.configuration.timeZone) }) else { return false }
                return Self.compare(moment.timeIntervalSince1970, bound.timeIntervalSince1970, clause.op)
            case "labels":
                let labels = (fields["labels"]?.array ?? []).compactMap(\.text)
                return Self.member(clause, in: labels)
            case "summary":
                let summary = fields["summary"]?.text?.lowercased() ?? ""
                let words = clause.values.first?.lowercased().split(separator: " ").map(String.init) ?? []
                let contains = words.allSatisfy { summary.contains($0.trimmingCharacters(in: CharacterSet(charactersIn: "*"))) }
                return clause.op == "!~" ? !contains : contains
            default:
                return Self.member(clause, in: candidates(clause.field, issue: issue, fields: fields))
            }
        }
    }

    private func candidates(_ field: String, issue: JiraWorld.Issue, fields: [String: JSONValue]) -> [String] {
        switch field {
        case "project": return [fields["project"]?["key"]?.text, fields["project"]?["id"]?.text, fields["project"]?["name"]?.text].compactMap { $0 }
        case "key", "issuekey": return [issue.key, String(issue.id)]
        case "id": return [String(issue.id)]
        case "issuetype", "type": return [fields["issuetype"]?["name"]?.text, fields["issuetype"]?["id"]?.text].compactMap { $0 }
        case "status": return [fields["status"]?["name"]?.text, fields["status"]?["id"]?.text].compactMap { $0 }
        case "assignee", "reporter": return [fields[field]?["accountId"]?.text, fields[field]?["emailAddress"]?.text].compactMap { $0 }
        case "parent": return [fields["parent"]?["key"]?.text, fields["parent"]?["id"]?.text].compactMap { $0 }
        default:
            let name = field.hasPrefix("cf[") ? "customfield_" + field.dropFirst(3).dropLast() : field
            return [fields[name]?.text].compactMap { $0 }
        }
    }

    private static func member(_ clause: Clause, in values: [String]) -> Bool {
        let lowered = Set(values.map { $0.lowercased() })
        let hit = clause.values.contains { lowered.contains($0.lowercased()) }
        switch clause.op {
        case "=", "in": return hit
        case "!=", "not in": return !hit
        default: return false
        }
    }

    private static func compare(_ left: Double, _ right: Double, _ op: String) -> Bool {
        switch op {
        case ">=": left >= right
        case ">": left > right
        case "<=": left <= right
        case "<": left < right
        case "=": left == right
        case "!=": left != right
        default: false
        }
    }

    /// `yyyy-MM-dd HH:mm` or `yyyy-MM-dd`, in the user's time zone: JQL has minute precision.
    static func date(_ text: String, timeZone: String) -> Date? {
        for format in ["yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd"] {
            let formatter = WireTime.formatter(format, timeZone: timeZone)
            if let date = formatter.wireDate(from: text), formatter.string(from: date) == text { return date }
        }
        return nil
    }

    /// Sorts by the ORDER BY fields (default: key descending, newest first).
    func sort(_ issues: [(JiraWorld.Issue, [String: JSONValue])]) -> [(JiraWorld.Issue, [String: JSONValue])] {
        let order = self.order.isEmpty ? [("key", false)] : self.order
        return issues.sorted { a, b in
            for (field, ascending) in order {
                let (left, right): (Double, Double) = switch field {
                case "updated": (a.0.updated.timeIntervalSince1970, b.0.updated.timeIntervalSince1970)
                case "created": (a.0.created.timeIntervalSince1970, b.0.created.timeIntervalSince1970)
                default: (Double(a.0.id), Double(b.0.id))
                }
                if left != right { return ascending ? left < right : left > right }
            }
            return a.0.id < b.0.id
        }
    }
}
