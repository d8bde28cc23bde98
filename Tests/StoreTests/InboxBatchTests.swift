import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// One inbox write may carry the deliveries of several subscriptions (group commit).
@Suite struct InboxBatchTests {
    func item(_ eventID: String, subscription: String) throws -> InboxItem {
        let event = ChangeEvent(eventID: eventID, ref: ExternalRef(system: .custom("batch"), type: "record", id: eventID), action: .updated)
        return InboxItem(system: .custom("batch"), event: event, subscriptionID: subscription,
                         jobs: [try JobRequest(kind: "batch.change", coalesceKey: "change:\(eventID)", payload: ["id": eventID], source: .webhook)])
    }

    @Test(arguments: TestDatabase.available)
    func aBatchOfTwoSubscriptionsMarksBothDeliveredAndEnqueuesEachNewEventOnce(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let first = WebhookSubscription(system: .custom("batch"), connectionID: nil, status: .active)
            let second = WebhookSubscription(system: .custom("batch"), connectionID: nil, status: .active)
            try await store.saveSubscription(first, secret: "secret-one-0001")
            try await store.saveSubscription(second, secret: "secret-two-0002")
            let old = try item("old", subscription: first.id)
            #expect(try await store.ingest([old]).count == 1)

            let batch = [try item("a", subscription: first.id), old, try item("b", subscription: second.id), try item("a", subscription: second.id)]
            let fresh = try await store.ingest(batch)
            #expect(fresh.map(\.event.eventID) == ["a", "b"])
            #expect(fresh.map(\.subscriptionID) == [first.id, second.id])
            #expect(try await store.jobCounts()[.pending] == 3)
            #expect(try await store.subscription(id: second.id)?.lastDeliveryAt != nil, "every subscription in the batch had a delivery")
        }
    }

    /// Event ids that differ only in Unicode normalisation are two inbox rows, so each
    /// delivery's jobs are enqueued (Swift's `String` equality calls the two ids equal).
    @Test(arguments: TestDatabase.available)
    func eventIDsThatDifferOnlyInNormalisationAreTwoDeliveries(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let fresh = try await store.ingest([try item("caf\u{E9}", subscription: "s"), try item("cafe\u{301}", subscription: "s")])
            #expect(fresh.count == 2)
            #expect(try await store.jobCounts()[.pending] == 2)
        }
    }
}
