import ConnectorKit
import Demo
import NIOConcurrencyHelpers
import Testing

/// The demo summary's split of API calls by purpose (`apiCallsByPurpose`).
@Suite struct CallLedgerTests {
    @Test func callsAreSplitBySetUpReadsWritesUpkeepAndPeople() async {
        // Calls made before the ledger began are not counted.
        let counts = NIOLockedValueBox(["asana GET /tasks": 5])
        func made(_ route: String, _ times: Int = 1) { counts.withLockedValue { $0[route, default: 0] += times } }
        let ledger = CallLedger(counts: { counts.withLockedValue { $0 } })

        await ledger.setUp {
            made("asana GET /workspaces/1", 2)
            // A webhook registered during set-up is upkeep, not set-up.
            made("asana POST /webhooks")
        }
        await ledger.asPerson(.asana) { made("asana POST /tasks") }
        made("asana GET /tasks", 3)
        made("freshbooks POST /accounting/account/A/invoices/invoices", 2)
        made("freshbooks GET /accounting/account/A/invoices/invoices")
        made("freshbooks POST /events/account/A/events/callbacks")

        #expect(ledger.purposes() == [
            "asana": ["set-up": 2, "webhook-upkeep": 1, "people": 1, "reads": 3],
            "freshbooks": ["writes": 2, "reads": 1, "webhook-upkeep": 1],
        ])
    }

    @Test func aRouteCalledInAndOutOfSetUpIsSplitBetweenThem() async {
        let counts = NIOLockedValueBox([String: Int]())
        let ledger = CallLedger(counts: { counts.withLockedValue { $0 } })
        await ledger.setUp { counts.withLockedValue { $0["asana GET /projects/1", default: 0] += 1 } }
        counts.withLockedValue { $0["asana GET /projects/1", default: 0] += 4 }
        #expect(ledger.purposes() == ["asana": ["set-up": 1, "reads": 4]])
    }
}
