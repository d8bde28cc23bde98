import ConnectorKit
import Engine
import Foundation
import Store
import TestSupport
import Testing

@Suite struct TriggerRouterTests {
    @Test func changesBecomeOneJobPerIntegrationAndRecordPausedOnesIncluded() async throws {
        try await TestDatabase.sqlite.withStore { store in
            try await store.addConnection(Connection(id: "asana-1", system: .board), credential: Credential(kind: .apiToken, accessToken: "t0000000"))
            try await store.addConnection(Connection(id: "fb-1", system: .ledger), credential: Credential(kind: .apiToken, accessToken: "t1111111"))
            try await store.saveIntegration(IntegrationRecord(id: "billing", kind: "freshbooks-asana", connections: ["asana": "asana-1", "freshbooks": "fb-1"]))
            try await store.saveIntegration(IntegrationRecord(id: "paused-one", kind: "freshbooks-asana", connections: ["asana": "asana-1"], state: .paused))
            try await store.saveIntegration(IntegrationRecord(id: "no-handler", kind: "other-kind", connections: ["asana": "asana-1"]))

            let router = TriggerRouter(store: store, kinds: ["freshbooks-asana.change"])
            let event = ChangeEvent(eventID: "e1", ref: ExternalRef(system: .board, type: "task", id: "9"), action: .updated)
            let jobs = try await router.jobs(for: [event], connectionID: "asana-1", trigger: .webhook)
            // A paused integration's job is enqueued too: the queue holds it until `resume`.
            let made = try #require(jobs.values.first).sorted { ($0.integrationID ?? "") < ($1.integrationID ?? "") }
            #expect(made.map(\.integrationID) == ["billing", "paused-one"])
            #expect(made[0].integrationID == "billing" && made[0].kind == "freshbooks-asana.change")
            #expect(made[0].coalesceKey == "change:billing:board:task:9")
            let payload = try JSONDecoder().decode(TriggerRouter.ChangePayload.self, from: Data(made[0].payload.utf8))
            #expect(payload.event.connectionID == "asana-1" && payload.trigger == .webhook)
        }
    }
}
