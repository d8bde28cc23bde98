import ConnectorKit
import Foundation

/// Prints listings as aligned tables for people or JSON for scripts, always redacted.
enum Output {
    /// Prints `value` as pretty JSON.
    static func json<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(SecretRedactor.shared.redact(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// Prints `value` as one line of compact JSON (a record of a streamed list).
    static func jsonLine(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(SecretRedactor.shared.redact(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// Prints rows under headers, columns padded to their widest cell.
    static func table(_ headers: [String], _ rows: [[String]]) {
        guard !rows.isEmpty else {
            print("(none)")
            return
        }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(SecretRedactor.shared.redact(line(headers)))
        for row in rows { print(SecretRedactor.shared.redact(line(row))) }
    }

    /// A time for a table cell, in UTC.
    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Reads `2026-11-21T10:00:00Z`, `2026-11-21`, or a span back from now (`30m`, `2h`, `7d`).
    static func parseTime(_ text: String, field: String, now: Date = Date()) throws -> Date {
        if let match = text.wholeMatch(of: #/([0-9]+)([smhd])/#), let count = Double(match.1) {
            let unit: Double = switch match.2 { case "s": 1; case "m": 60; case "h": 3600; default: 86400 }
            return now.addingTimeInterval(-count * unit)
        }
        let full = ISO8601DateFormatter()
        if let date = full.vendorDate(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.vendorDate(from: text) { return date }
        throw CLIFailure(message: "--\(field) '\(text)' is not a time: use 2026-11-21T10:00:00Z, 2026-11-21, or a span back from now such as 30m, 2h, 7d")
    }
}
