import Foundation

/// A seeded generator of the inputs a hostile sender or a broken vendor produces: strings of
/// odd bytes, numbers at the edges, near-valid values with one thing wrong. The same seed gives
/// the same inputs, so a failure found in a benchmark run can be replayed in a test.
public struct HostileInputs: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; the seed decides every input.
    public init(seed: UInt64) {
        state = seed &+ 0x9E37_79B9_7F4A_7C15
    }

    /// SplitMix64: small, fast and good enough to explore.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `1/n`.
    public mutating func oneIn(_ n: Int) -> Bool {
        Int.random(in: 0..<max(1, n), using: &self) == 0
    }

    /// One of `choices`.
    public mutating func pick<Value>(_ choices: [Value]) -> Value {
        choices[Int.random(in: 0..<choices.count, using: &self)]
    }

    /// Raw bytes, mostly short, sometimes long, including NUL, invalid UTF-8 and control bytes.
    public mutating func bytes(maxLength: Int = 256) -> [UInt8] {
        let length = oneIn(20) ? Int.random(in: 0...maxLength * 16, using: &self) : Int.random(in: 0...maxLength, using: &self)
        return (0..<length).map { _ in
            oneIn(3) ? pick(Array("{}[]\":,.-+eE0123456789=&%\\\n\r\t ".utf8)) : UInt8.random(in: 0...255, using: &self)
        }
    }

    /// A string: random bytes decoded leniently, or a number at the edges, or a mutation of a
    /// plausible value from `seeds`.
    public mutating func string(near seeds: [String] = []) -> String {
        switch Int.random(in: 0..<6, using: &self) {
        case 0: return String(decoding: bytes(), as: UTF8.self)
        case 1: return number()
        case 2 where !seeds.isEmpty: return mutate(pick(seeds))
        case 3: return pick(Self.edgeStrings)
        case 4: return String(repeating: pick(["9", "0", "-", "[", "{", "a", "é", "\u{0}"]), count: pick([1, 64, 1025, 70_000]))
        default: return seeds.isEmpty ? String(decoding: bytes(maxLength: 32), as: UTF8.self) : pick(seeds)
        }
    }

    /// A number as text at an edge: huge, negative, exponent, fraction, not-a-number.
    public mutating func number() -> String {
        pick([
            "\(Int64.random(in: .min ... .max, using: &self))", "\(UInt64.random(in: 0 ... .max, using: &self))",
            "\(Double(bitPattern: next()))", "1e\(Int.random(in: -400...400, using: &self))", "-1e20", "9300000000000000",
            "99999999999999999999999999999", "-0", "0.0000000000000000001", "nan", "inf", "-inf", "0x1p1023", "1_000", "١٢٣",
            "\(Int.random(in: -100...100_000, using: &self))", "\(Double.random(in: -1e6...1e6, using: &self))",
        ])
    }

    /// `text` with a few bytes changed, inserted, removed or duplicated.
    public mutating func mutate(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &self) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &self)
            switch Int.random(in: 0..<4, using: &self) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &self)
            case 1: bytes.insert(pick(Array("\"{}[],:0-.e\\".utf8) + [0, 0xFF, 0xC3]), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            default: bytes.insert(contentsOf: bytes[position...].prefix(16), at: position)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static let edgeStrings = [
        "", " ", "\u{0}", "null", "true", "[]", "{}", "\"", "\\", "%", "%zz", "&&&", "===", "a=b&a=c", "%00", "\u{FEFF}", "\u{202E}",
        "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "2024-02-30T25:61:61Z",
        "0000-00-00 00:00:00", "-:-- !: ---", "*&*: :!!", "!!binary", "&anchor *anchor", "{a: [b, {c: d}]}",
    ]
}
