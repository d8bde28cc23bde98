import ConnectorKit
import Foundation
import Testing

/// The pure plan behind every vendor's webhook upkeep, case by case.
@Suite struct SubscriptionPlanTests {
    let prefix = "https://mlc.example/webhooks/vendor/"
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func vendor(_ id: String, _ resource: String, row: String, verified: Bool = true, host: String? = nil) -> VendorSubscription {
        VendorSubscription(id: id, resource: resource, target: (host ?? prefix) + row, verified: verified)
    }

    func row(_ id: String, _ resource: String, external: String? = nil, active: Bool = true, age: TimeInterval = 60) -> KnownSubscription {
        KnownSubscription(id: id, resource: resource, externalID: external, active: active, lastSign: now.addingTimeInterval(-age))
    }

    @Test func createsWhatIsWantedAndMissing() {
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "invoice.update"), WantedSubscription(resource: "payment.create")],
                                         vendor: [vendor("1", "invoice.update", row: "r1")], known: [row("r1", "invoice.update", external: "1")],
                                         targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(plan.create == [WantedSubscription(resource: "payment.create")])
        #expect(plan.deleteAtVendor.isEmpty && plan.dropRows.isEmpty && plan.activate.isEmpty)
    }

    @Test func keepsTheVerifiedOfADuplicatePairAndDeletesTheRest() {
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "invoice.update")],
                                         vendor: [vendor("2", "invoice.update", row: "r2", verified: false), vendor("1", "invoice.update", row: "r1")],
                                         known: [row("r1", "invoice.update", external: "1"), row("r2", "invoice.update", external: "2")],
                                         targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(plan.deleteAtVendor == ["2"] && plan.dropRows == ["r2"] && plan.create.isEmpty)
    }

    @Test func deletesOursThatAreUnwantedOrHaveNoRowAndLeavesOthersAlone() {
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "invoice.update")],
                                         vendor: [vendor("4", "estimate.create", row: "r4"), vendor("5", "invoice.update", row: "gone"),
                                                  vendor("6", "invoice.update", row: "x", host: "https://someone-else.example/hook/")],
                                         known: [row("r4", "estimate.create", external: "4")], targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(Set(plan.deleteAtVendor) == ["4", "5"])
        #expect(plan.dropRows == ["r4"])
        #expect(plan.create == [WantedSubscription(resource: "invoice.update")])
    }

    @Test func asksAgainForUnverifiedWhereTheVendorCanAndRecordsAMissingVendorID() {
        let facts = SubscriptionFacts(canResendVerification: true)
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "payment.create")], vendor: [vendor("3", "payment.create", row: "r3", verified: false)],
                                         known: [row("r3", "payment.create", external: nil, active: false)], targetPrefix: prefix, facts: facts, now: now)
        #expect(plan.resend.map(\.externalID) == ["3"] && plan.recordExternalID.map(\.externalID) == ["3"])
        let silentVendor = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "payment.create")], vendor: [vendor("3", "payment.create", row: "r3", verified: false)],
                                                 known: [row("r3", "payment.create", external: "3", active: false)], targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(silentVendor.resend.isEmpty && silentVendor.recordExternalID.isEmpty)
    }

    @Test func remakesAVerifiedSubscriptionWhoseSecretWasLost() {
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "invoice.update")], vendor: [vendor("1", "invoice.update", row: "r1")],
                                         known: [KnownSubscription(id: "r1", resource: "invoice.update", externalID: "1", active: false, lastSign: now, hasSecret: false)],
                                         targetPrefix: prefix, facts: SubscriptionFacts(canResendVerification: true), now: now)
        #expect(plan.deleteAtVendor == ["1"] && plan.dropRows == ["r1"] && plan.create == [WantedSubscription(resource: "invoice.update")])
    }

    @Test func doesNotAskAgainForAVerificationAskedForMomentsAgo() {
        let facts = SubscriptionFacts(canResendVerification: true)
        let recent = KnownSubscription(id: "r3", resource: "payment.create", externalID: "3", active: false, lastSign: now, updatedAt: now.addingTimeInterval(-30))
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "payment.create")], vendor: [vendor("3", "payment.create", row: "r3", verified: false)],
                                         known: [recent], targetPrefix: prefix, facts: facts, now: now)
        #expect(plan.resend.isEmpty && plan.isEmpty)
    }

    @Test func activatesRowsTheVendorVerified() {
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "p1")], vendor: [vendor("w1", "p1", row: "r1")],
                                         known: [row("r1", "p1", external: "w1", active: false)], targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(plan.activate.map(\.row) == ["r1"] && plan.create.isEmpty)
    }

    @Test func recreatesASilentSubscriptionPastItsHeartbeatGrace() {
        let facts = SubscriptionFacts(heartbeatGrace: .seconds(9 * 3600))
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "p1", filter: "project-tasks")], vendor: [vendor("w1", "p1", row: "r1")],
                                         known: [row("r1", "p1", external: "w1", age: 10 * 3600)], targetPrefix: prefix, facts: facts, now: now)
        #expect(plan.deleteAtVendor == ["w1"] && plan.dropRows == ["r1"] && plan.create == [WantedSubscription(resource: "p1", filter: "project-tasks")])
    }

    @Test func dropsRowsWhoseVendorSubscriptionIsGone() {
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "p1")], vendor: [], known: [row("r1", "p1", external: "w1")],
                                         targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(plan.dropRows == ["r1"] && plan.create == [WantedSubscription(resource: "p1")])
    }

    @Test func leavesAnotherConnectionsSubscriptionsAlone() {
        // Two connections to one workspace: the vendor lists both connections' webhooks.
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "p1")], vendor: [vendor("w1", "p1", row: "r1"), vendor("w2", "p1", row: "theirs")],
                                         known: [row("r1", "p1", external: "w1")], otherConnections: ["theirs"], targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(plan.isEmpty, "\(plan)")
    }

    @Test func nothingToDoIsEmpty() {
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "p1")], vendor: [vendor("w1", "p1", row: "r1")], known: [row("r1", "p1", external: "w1")],
                                         targetPrefix: prefix, facts: SubscriptionFacts(), now: now)
        #expect(plan.isEmpty)
    }

    @Test func renewsKeptSubscriptionsThatExpireSoonAndNothingElse() {
        let facts = SubscriptionFacts(renewWithin: .seconds(20 * 86400))
        var soon = vendor("7", "project = A", row: "r7")
        soon.expiresAt = now.addingTimeInterval(5 * 86400)
        var later = vendor("8", "project = B", row: "r8")
        later.expiresAt = now.addingTimeInterval(25 * 86400)
        var unwanted = vendor("9", "project = C", row: "r9")
        unwanted.expiresAt = now.addingTimeInterval(86400)
        let plan = SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "project = A"), WantedSubscription(resource: "project = B")],
                                         vendor: [soon, later, unwanted],
                                         known: [row("r7", "project = A", external: "7"), row("r8", "project = B", external: "8"), row("r9", "project = C", external: "9")],
                                         targetPrefix: prefix, facts: facts, now: now)
        #expect(plan.renew == ["7"] && plan.deleteAtVendor == ["9"] && plan.create.isEmpty)
        // Without an expiry fact nothing is renewed.
        #expect(SubscriptionPlan.plan(wanted: [WantedSubscription(resource: "project = A")], vendor: [soon], known: [row("r7", "project = A", external: "7")],
                                      targetPrefix: prefix, facts: SubscriptionFacts(), now: now).renew.isEmpty)
    }
}
