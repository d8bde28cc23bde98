/// How a batch of rows is cut into multi-row statements: runs whose sizes are powers of two, the
/// largest first, none over `maximum` (itself a power of two). A batch of any size is then at most
/// a handful of statements, and the statements' texts come in a few sizes only, so the prepared
/// statement cache keeps each one instead of meeting a new text for every batch size.
///
/// 300 rows with a maximum of 256 are 256 + 32 + 8 + 4.
struct StatementChunks: Sequence {
    /// The rows to cut.
    let count: Int
    /// The largest run, a power of two.
    let maximum: Int

    /// Cuts `count` rows into runs of at most `maximum` (rounded down to a power of two).
    init(count: Int, maximum: Int) {
        self.count = Swift.max(0, count)
        let bounded = Swift.max(1, maximum)
        self.maximum = 1 << (Int.bitWidth - 1 - bounded.leadingZeroBitCount)
    }

    /// The runs in order, as ranges of row positions.
    func makeIterator() -> AnyIterator<Range<Int>> {
        var start = 0
        return AnyIterator {
            let left = count - start
            guard left > 0 else { return nil }
            let size = Swift.min(maximum, 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount))
            defer { start += size }
            return start..<(start + size)
        }
    }
}

extension Collection where Index == Int {
    /// The collection in runs for multi-row statements: see `StatementChunks`.
    func statementChunks(maximum: Int) -> [SubSequence] {
        StatementChunks(count: count, maximum: maximum).map { self[(startIndex + $0.lowerBound)..<(startIndex + $0.upperBound)] }
    }
}

/// The rows of a multi-row statement: the `($1, $2), ($3, $4)` list and its binds.
struct ValuesList {
    /// The parenthesized rows, joined with commas.
    let sql: String
    /// Every row's values in order.
    let binds: [SQLValue]

    /// The list of `rows`, each `values` (all of `width` values).
    init<Rows: Collection>(_ rows: Rows, width: Int, _ values: (Rows.Element) throws -> [SQLValue]) rethrows {
        var binds: [SQLValue] = []
        binds.reserveCapacity(rows.count * width)
        var parts: [String] = []
        parts.reserveCapacity(rows.count)
        for row in rows {
            parts.append("(" + SQLStore.placeholders(from: binds.count + 1, count: width) + ")")
            binds += try values(row)
        }
        sql = parts.joined(separator: ", ")
        self.binds = binds
    }
}
