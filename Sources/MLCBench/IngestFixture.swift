import ConnectorKit
import Engine
import Flows
import Foundation
import Store

/// The ingest benchmark's world: a FreshBooks and an Asana connection, a paused FreshBooks ↔
/// Asana integration over them (so workers hold its jobs and the queue shows exactly what
/// ingest enqueued), and an active subscription of each with its secret. Every id carries
/// the run's number, so rows an earlier run left in a shared PostgreSQL database never count.
struct IngestFixture {
    var run: UInt32

    var freshBooks: Connection { Connection(id: "bench-fb-\(run)", system: .freshbooks, accountRef: "ACM\(run)") }
    var asana: Connection { Connection(id: "bench-asana-\(run)", system: .asana) }
    var integrationID: String { "bench-ingest-\(run)" }
    var freshBooksSubscription: WebhookSubscription {
        WebhookSubscription(id: "bench-fb-sub-\(run)", system: .freshbooks, connectionID: freshBooks.id, integrationID: integrationID, status: .active)
    }
    var asanaSubscription: WebhookSubscription {
        WebhookSubscription(id: "bench-asana-sub-\(run)", system: .asana, connectionID: asana.id, integrationID: integrationID, status: .active)
    }

    /// What the load generator needs to sign deliveries.
    var targets: DeliveryTargets {
        DeliveryTargets(freshBooksSubscription: freshBooksSubscription.id, freshBooksVerifier: "bench-verifier-\(run)", freshBooksAccount: "ACM\(run)",
                        freshBooksBusiness: "77\(run)", asanaSubscription: asanaSubscription.id, asanaSecret: "bench-hook-secret-\(run)", asanaGIDPrefix: "12\(run)")
    }

    func install(in store: SQLStore) async throws {
        for connection in [freshBooks, asana] {
            try await store.addConnection(connection, credential: Credential(kind: .apiToken, accessToken: "bench-token-\(run)"))
        }
        try await store.saveIntegration(IntegrationRecord(id: integrationID, kind: FreshBooksAsanaIntegration().kind,
                                                          connections: ["freshbooks": freshBooks.id, "asana": asana.id], state: .paused))
        try await store.saveSubscription(freshBooksSubscription, secret: targets.freshBooksVerifier)
        try await store.saveSubscription(asanaSubscription, secret: targets.asanaSecret)
    }

    /// Removes this run's rows (a shared PostgreSQL database stays as it was).
    func remove(from store: SQLStore) async throws {
        try await store.backend.query("DELETE FROM jobs WHERE integration_id = $1", [.text(integrationID)])
        try await store.backend.query("DELETE FROM inbox WHERE subscription_id = $1 OR subscription_id = $2", [.text(freshBooksSubscription.id), .text(asanaSubscription.id)])
        try await store.removeIntegration(id: integrationID)
        for connection in [freshBooks, asana] { try await store.removeConnection(id: connection.id) }
    }

    /// The record delivery `index` is about.
    func ref(_ index: Int) -> ExternalRef {
        let id = SignedDelivery.recordID(index, targets)
        return index.isMultiple(of: 2) ? ExternalRef(.freshbooks, "invoice", id) : ExternalRef(.asana, "task", id)
    }

    /// What the check found.
    struct Checked {
        var distinct: Int
        var duplicatesSent: Int
        var jobs: Int
    }

    /// Every delivery answered 200; each of the `distinct` deliveries is one inbox row and one
    /// job, its duplicate included. The one allowed exception is FreshBooks's own rule: it
    /// sends no event id, so the same body in a later minute is a new delivery (then two inbox
    /// rows in two minutes, and their jobs coalesced into one).
    func check(store: SQLStore, distinct: Int, answers: [LoadResult]) async throws -> Checked {
        func fail(_ problem: String) -> BenchFailure { BenchFailure(benchmark: "ingest", problem: problem) }
        for answer in answers where answer.ok != answer.sent {
            throw fail("\(answer.sent - answer.ok) of \(answer.sent) deliveries were not answered 200: \(answer.refused)")
        }
        let sent = answers.reduce(0) { $0 + $1.sent }
        var jobs: [String: [Int64]] = [:]
        for row in try await store.backend.query("SELECT coalesce_key, merged_count FROM jobs WHERE integration_id = $1", [.text(integrationID)]) {
            guard case .text(let key) = row.values["coalesce_key"], case .int(let merged) = row.values["merged_count"] else { throw fail("a job row without a key") }
            jobs[key, default: []].append(merged)
        }
        var inbox: [String: [Int64]] = [:]
        for row in try await store.backend.query("SELECT ref, received_at FROM inbox WHERE subscription_id = $1 OR subscription_id = $2",
                                                 [.text(freshBooksSubscription.id), .text(asanaSubscription.id)]) {
            guard case .text(let ref) = row.values["ref"], case .int(let at) = row.values["received_at"] else { throw fail("an inbox row without a ref") }
            inbox[ref, default: []].append(at)
        }
        for index in 0..<distinct {
            let ref = ref(index)
            let key = TriggerRouter.coalesceKey(integrationID: integrationID, ref: ref)
            let rows = inbox[ref.description] ?? []
            guard let merged = jobs[key], merged.count == 1 else { throw fail("delivery \(index) (\(ref)) has \(jobs[key]?.count ?? 0) jobs, not 1") }
            let minutes = Set(rows.map { $0 / 60_000 })
            let sameBodyLater = ref.system == .freshbooks && rows.count == 2 && minutes.count == 2
            guard rows.count == 1 || sameBodyLater else { throw fail("delivery \(index) (\(ref)) is \(rows.count) inbox rows, not 1") }
            guard merged[0] == Int64(rows.count - 1) else { throw fail("delivery \(index) (\(ref)) was enqueued \(merged[0] + 1) times for \(rows.count) inbox rows") }
        }
        let jobCount = jobs.values.reduce(0) { $0 + $1.count }
        guard jobCount == distinct, inbox.count == distinct else { throw fail("\(distinct) distinct deliveries, \(jobCount) jobs and \(inbox.count) inbox records") }
        return Checked(distinct: distinct, duplicatesSent: sent - distinct, jobs: jobCount)
    }
}
