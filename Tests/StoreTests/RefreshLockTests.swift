import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// Gap 5 of issue 9: the vendor's token call runs outside any transaction, under a short lock
/// row that keeps the refresh single-flight across processes.
@Suite struct RefreshLockTests {
    func connect(_ store: SQLStore) async throws {
        try await store.addConnection(Connection(id: "c", system: .board), credential: Credential(kind: .oauth2, accessToken: "a1-token", refreshToken: "r1-token"))
    }

    @Test(arguments: TestDatabase.available)
    func gap5_aTokenRefreshDoesNotHoldTheStore(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            try await connect(store)
            let calling = Flag()
            let refreshing = Task {
                try await store.refresh(connectionID: "c", staleVersion: 1) { old in
                    await calling.raise()
                    // A slow token endpoint, or a 429 pause.
                    try await Task.sleep(for: .seconds(5))
                    await calling.finish()
                    var next = old
                    next.accessToken = "a2-token"
                    return next
                }
            }
            while await !calling.raised { try await Task.sleep(for: .milliseconds(10)) }
            // Ingress, claims and heartbeats go on while the vendor is being called.
            try await store.enqueue(JobRequest(kind: "k"))
            _ = try await store.claimJobs(worker: "w", kinds: ["k"], limit: 1, lease: .seconds(30), now: Date())
            // Done while the vendor is still being called (the old transaction made them wait for it).
            #expect(await !calling.finished)
            let renewed = try await refreshing.value
            #expect(renewed.version == 2 && renewed.credential.accessToken == "a2-token")
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    @Test(arguments: TestDatabase.available)
    func gap5_aWaiterTakesTheOtherProcesssPairAndACrashedHoldersLockExpires(_ database: TestDatabase) async throws {
        let store = try await database.makeStore().store
        do {
            try await connect(store)
            // Another process holds the lock and is calling the vendor.
            try await store.backend.query("UPDATE credentials SET refreshing_by = 'other', refreshing_until = $1 WHERE connection_id = 'c'",
                                          [.int(Int64(Date().addingTimeInterval(30).timeIntervalSince1970 * 1000))])
            let waiting = Task {
                try await store.refresh(connectionID: "c", staleVersion: 1) { _ in
                    Issue.record("the vendor must not be called while another process refreshes")
                    throw ConnectorError.permanent("no")
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            // It writes its new pair (releasing the lock): the waiter takes it.
            try await store.saveCredential(Credential(kind: .oauth2, accessToken: "a2-token", refreshToken: "r2-token"), for: "c")
            try await store.backend.query("UPDATE credentials SET refreshing_by = NULL, refreshing_until = NULL WHERE connection_id = 'c'", [])
            #expect(try await waiting.value.credential.accessToken == "a2-token")

            // A holder that crashed leaves a lock that expires: the next caller refreshes.
            try await store.backend.query("UPDATE credentials SET refreshing_by = 'crashed', refreshing_until = $1 WHERE connection_id = 'c'",
                                          [.int(Int64(Date().addingTimeInterval(-1).timeIntervalSince1970 * 1000))])
            let renewed = try await store.refresh(connectionID: "c", staleVersion: 2) { old in
                var next = old
                next.accessToken = "a3-token"
                return next
            }
            #expect(renewed.version == 3 && renewed.credential.accessToken == "a3-token")
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// Set once from inside a closure, read by the test.
actor Flag {
    private(set) var raised = false
    private(set) var finished = false
    func raise() { raised = true }
    func finish() { finished = true }
}
