import ConnectorKit
import Foundation

/// Prints a streaming action's records as they arrive: one JSON line per record with `--json`,
/// else rows kept for one table at the end; on a terminal, a progress line on stderr.
actor StreamPrinter {
    private let json: Bool
    private let progress = isatty(STDERR_FILENO) != 0
    private var rows: [[String]] = []
    private var count = 0
    private var list = "records"

    init(json: Bool) {
        self.json = json
    }

    /// The sink handed to the action.
    nonisolated var sink: RecordSink {
        { list, record in try await self.receive(list, record) }
    }

    private func receive(_ list: String, _ record: any ActionRecord) throws {
        self.list = list
        count += 1
        if json { try Output.jsonLine(record) } else { rows.append(record.row) }
        // A line per page read, rewritten in place.
        if progress, count % 100 == 0 { FileHandle.standardError.write(Data("\rread \(count) \(list)…".utf8)) }
    }

    /// Ends the progress line and, without `--json`, prints the table.
    func finish(columns: [String]) {
        if progress, count >= 100 { FileHandle.standardError.write(Data("\rread \(count) \(list)\n".utf8)) }
        if !json { Output.table(columns, rows) }
    }
}
