/// Pairs of keys compared byte for byte, as both databases compare them (PostgreSQL's "C"
/// collation, SQLite's BINARY). Swift's own `==` and `<` on `String` treat canonically
/// equivalent text ("é" and "e\u{301}") as one, where the databases keep two.
enum ByteOrder {
    /// True when `left` sorts before `right`: by first part, then by second.
    static func precedes<Bytes: Collection<UInt8>>(_ left: (Bytes, Bytes), _ right: (Bytes, Bytes)) -> Bool {
        left.0.elementsEqual(right.0) ? left.1.lexicographicallyPrecedes(right.1) : left.0.lexicographicallyPrecedes(right.0)
    }
}
