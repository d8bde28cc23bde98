import Foundation
import Store

extension SQLStore {
    /// Every row of the job queue, links, intents and dead letters whose key, refs or payload
    /// mention `text` (a task's GID, say), one line each with all its columns: what a campaign
    /// that timed out prints for a record whose work never arrived, to say where it went.
    func rowsMentioning(_ text: String) async throws -> String {
        let pattern = SQLValue.text("%\(text)%")
        let searches: [(table: String, condition: String)] = [
            ("jobs", "coalesce_key LIKE $1 OR payload LIKE $1"),
            ("links", "source_ref LIKE $1 OR target_ref LIKE $1"),
            ("intents", "intent_key LIKE $1 OR target_ref LIKE $1"),
            ("dead_letters", "coalesce_key LIKE $1 OR payload LIKE $1"),
        ]
        var lines: [String] = []
        for search in searches {
            for row in try await backend.query("SELECT * FROM \(search.table) WHERE \(search.condition)", [pattern]) {
                let columns = row.values.sorted { $0.key < $1.key }.map { column, value -> String in
                    switch value {
                    case .null: "\(column)=null"
                    case .int(let number): "\(column)=\(number)"
                    case .text(let string): "\(column)=\(string.count > 300 ? String(string.prefix(300)) + "…" : string)"
                    case .blob(let bytes): "\(column)=<\(bytes.count) bytes>"
                    }
                }
                lines.append("  \(search.table): \(columns.joined(separator: " "))")
            }
        }
        return lines.isEmpty ? "  (no job, link, intent or dead letter mentions it)" : lines.joined(separator: "\n")
    }
}
