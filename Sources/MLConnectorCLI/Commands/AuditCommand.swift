import ArgumentParser
import ConnectorKit
import Store

/// `ml-connector audit`: the per-record history of every attempt.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the audit trail, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this integration.")
    var integration: String?

    @Option(help: "Only entries about this record (system:type:id), as source or target.")
    var ref: String?

    @Option(help: "Only this job.")
    var job: String?

    @Option(help: "Only this outcome: succeeded, unchanged, retrying, dead, rejected.")
    var outcome: String?

    @Option(help: "From this time (2026-11-21T10:00:00Z, 2026-11-21, or 30m/2h/7d ago).")
    var since: String?

    @Option(help: "Up to this time.")
    var until: String?

    @Option(help: "Only this tenant.")
    var tenant: String?

    @Option(help: "At most this many.")
    var limit: Int = 100

    func validate() throws {
        if let outcome, AuditOutcome(rawValue: outcome) == nil {
            throw ValidationError("--outcome '\(outcome)' is not one of: \(AuditOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let ref, ExternalRef(parsing: ref) == nil {
            throw ValidationError("--ref '\(ref)' must be system:type:id, e.g. asana:task:1200000000000001")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let filter = AuditFilter(
            tenant: tenant, integrationID: integration, ref: ref, jobID: job, outcome: outcome.flatMap(AuditOutcome.init(rawValue:)),
            since: try since.map { try Output.parseTime($0, field: "since") }, until: try until.map { try Output.parseTime($0, field: "until") }, limit: limit
        )
        try await withStore(global) { store in
            let entries = try await store.auditEntries(filter)
            if global.json {
                try Output.json(entries)
            } else {
                Output.table(["AT", "OUTCOME", "ACTION", "SOURCE", "TARGET", "ATTEMPT", "MS", "CALLS", "ERROR"], entries.map { entry in
                    [Output.time(entry.at), entry.outcome.rawValue, entry.action, entry.sourceRef ?? "-", entry.targetRef ?? "-", "\(entry.attempt)",
                     "\(entry.durationMs)", "\(entry.exchanges.count)", String((entry.error ?? "").prefix(80))]
                })
            }
        }
    }
}
