/// Builds a WHERE clause and its binds from optional filters, numbering placeholders in order.
struct SQLConditions {
    private(set) var clauses: [String] = []
    private(set) var binds: [SQLValue] = []

    /// Adds a condition on one bound value; `clause` receives its placeholder (`$3`).
    mutating func add(_ value: SQLValue, _ clause: (String) -> String) {
        binds.append(value)
        clauses.append(clause("$\(binds.count)"))
    }

    /// Adds a condition with no bound value.
    mutating func add(_ clause: String) {
        clauses.append(clause)
    }

    /// `WHERE a AND b`, or nothing.
    var whereClause: String {
        clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
    }

    /// Binds a row limit and returns `LIMIT $n`.
    mutating func limit(_ count: Int) -> String {
        binds.append(.int(max(1, count)))
        return "LIMIT $\(binds.count)"
    }
}
