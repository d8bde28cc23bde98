import ConnectorKit

/// Stand-in systems: the store and engine know no vendor, so their tests use none.
extension SystemKind {
    static let ledger = SystemKind("ledger")
    static let board = SystemKind("board")
    static let tracker = SystemKind("tracker")
}
