import ConnectorKit
import Engine
import Foundation
import NIOConcurrencyHelpers
import Store

/// A handler whose behaviour a test scripts: each run pops the next step (then succeeds).
final class ScriptedHandler: JobHandler {
    enum Step: Sendable {
        case succeed
        case fail(ConnectorError)
        case block
    }

    let kind: String
    private let steps: NIOLockedValueBox<[Step]>
    private let runs = NIOLockedValueBox<[String]>([])

    init(kind: String = "test.scripted", steps: [Step] = []) {
        self.kind = kind
        self.steps = NIOLockedValueBox(steps)
    }

    /// Appends steps.
    func script(_ more: [Step]) { steps.withLockedValue { $0 += more } }

    /// Job ids in the order they ran.
    var ran: [String] { runs.withLockedValue { $0 } }

    func run(_ job: JobRecord, context: JobContext) async throws -> JobOutcome {
        runs.withLockedValue { $0.append(job.id) }
        ExchangeRecorder.current?.record(ExchangeSummary(system: "test", method: "GET", url: "https://vendor.test/records/1?access_token=hidden-token-1", status: 200, durationMs: 3))
        let step = steps.withLockedValue { $0.isEmpty ? Step.succeed : $0.removeFirst() }
        switch step {
        case .succeed:
            let source = ExternalRef(system: .board, type: "task", id: job.id)
            let target = ExternalRef(system: .ledger, type: "invoice", id: "inv-\(job.id)")
            return JobOutcome(writes: [.upsertLink(Link(integrationID: job.integrationID ?? "i", source: source, target: target, contentHash: "h"))],
                              sourceRef: source.description, targetRef: target.description, action: "create invoice")
        case .fail(let error):
            throw error
        case .block:
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
