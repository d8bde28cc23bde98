import ConnectorKit
import Foundation
import Store
import TestSupport
import Testing

/// One suite, run on SQLite and (when ML_CONNECTOR_TEST_POSTGRES_URL is set) on PostgreSQL.
@Suite struct StoreSuiteTests {
    @Test("the PostgreSQL run of the store suite", .enabled(if: TestDatabase.postgresAvailable, "ML_CONNECTOR_TEST_POSTGRES_URL is not set"))
    func postgresIsAvailable() async throws {
        let test = try await TestDatabase.postgres.makeStore()
        #expect(await test.store.ping())
        await test.store.close()
    }

    @Test(arguments: TestDatabase.available)
    func migrationsAreCurrentAndIdempotent(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let version = try await store.schemaVersion()
            #expect(version.database == version.known && version.known >= 1)
            #expect(try await store.migrate().isEmpty)
        }
    }

    @Test(arguments: TestDatabase.available)
    func connectionsKeepTheirCredentialSealed(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let connection = Connection(id: "fb-acme", tenant: "acme", system: .ledger, baseURLs: ["api": "http://127.0.0.1:9/api"], accountRef: "A1")
            try await store.addConnection(connection, credential: Credential(kind: .oauth2, accessToken: "plain-access-token-1", refreshToken: "plain-refresh-token-1"))
            try await store.addConnection(Connection(id: "asana-other", tenant: "other", system: .board), credential: Credential(kind: .apiToken, accessToken: "pat-987654321"))

            #expect(try await store.connection(id: "fb-acme")?.baseURLs["api"] == "http://127.0.0.1:9/api")
            #expect(try await store.connection(system: .ledger, accountRef: "A1")?.id == "fb-acme")
            #expect(try await store.connections(tenant: "acme").map(\.id) == ["fb-acme"])
            #expect(try await store.connections(tenant: nil).count == 2)
            await #expect(throws: StoreError.self) {
                try await store.addConnection(connection, credential: Credential(kind: .apiToken, accessToken: "x"))
            }

            let stored = try await store.backend.query("SELECT envelope FROM credentials WHERE connection_id = 'fb-acme'", [])
            let envelope = try #require(stored.first?.values["envelope"])
            #expect(!"\(envelope)".contains("plain-access-token-1"))
            let credential = try await store.credential(for: "fb-acme")
            #expect(credential.credential.refreshToken == "plain-refresh-token-1" && credential.version == 1)
            #expect(try await store.saveCredential(Credential(kind: .oauth2, accessToken: "next-token-22"), for: "fb-acme") == 2)

            try await store.saveIntegration(IntegrationRecord(id: "billing", tenant: "acme", kind: "freshbooks-asana", connections: ["freshbooks": "fb-acme"]))
            await #expect(throws: StoreError.self) { try await store.removeConnection(id: "fb-acme") }
            try await store.removeIntegration(id: "billing")
            try await store.removeConnection(id: "fb-acme")
            #expect(try await store.connection(id: "fb-acme") == nil)
            await #expect(throws: ConnectorError.self) { try await store.credential(for: "fb-acme") }
        }
    }

    @Test(arguments: TestDatabase.available)
    func integrationsNeedExistingConnections(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            do {
                try await store.saveIntegration(IntegrationRecord(id: "x", kind: "k", connections: ["asana": "missing"]))
                Issue.record("expected refusal")
            } catch let error as StoreError {
                #expect("\(error)".contains("connections.asana"))
            }
            try await store.addConnection(Connection(id: "a1", system: .board), credential: Credential(kind: .apiToken, accessToken: "t"))
            try await store.saveIntegration(IntegrationRecord(id: "x", kind: "k", connections: ["asana": "a1"]))
            try await store.setIntegrationState(id: "x", state: .paused)
            #expect(try await store.integration(id: "x")?.state == .paused)
            #expect(try await store.integrations(usingConnection: "a1").map(\.id) == ["x"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aSecondJobForTheSameRecordMergesWhilePending(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let now = Date()
            let first = try await store.enqueue(JobRequest(kind: "k", coalesceKey: "rec-1", payload: #"{"v":1}"#, runAt: now.addingTimeInterval(10)))
            let second = try await store.enqueue(JobRequest(kind: "k", coalesceKey: "rec-1", payload: #"{"v":2}"#, runAt: now))
            #expect(!first.merged && second.merged && first.jobID == second.jobID)
            let job = try #require(try await store.job(id: first.jobID))
            #expect(job.payload == #"{"v":2}"# && job.mergedCount == 1)
            #expect(abs(job.runAt.timeIntervalSince(now)) < 0.01)

            // Once running, a new change gets a new pending job (the running one may have read the old record).
            let claim = try #require(try await store.claimJobs(worker: "w", kinds: ["k"], limit: 5, lease: .seconds(30), now: now.addingTimeInterval(1)).first)
            let third = try await store.enqueue(JobRequest(kind: "k", coalesceKey: "rec-1", payload: #"{"v":3}"#))
            #expect(!third.merged && third.jobID != claim.job.id)
            // While the first runs, its successor for the same record waits: one record, one worker.
            #expect(try await store.claimJobs(worker: "w2", kinds: ["k"], limit: 5, lease: .seconds(30), now: Date().addingTimeInterval(1)).isEmpty)
            // A retry of the running job folds into that newer pending job instead of duplicating it.
            try await store.retryJob(claim, at: Date(), error: "x", audit: AuditEntry(action: "k", outcome: .retrying))
            #expect(try await store.job(id: claim.job.id)?.state == .merged)
            #expect(try await store.jobs(state: .pending, integrationID: nil, limit: 10).map(\.id) == [third.jobID])
        }
    }

    /// Each attempt's aim is kept with its intent, open or done, for a later attempt to look
    /// there; at most `IntentRecord.aimLimit` of them, the newest.
    @Test(arguments: TestDatabase.available)
    func anIntentKeepsWhereEachAttemptAimed(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let now = Date()
            #expect(try await store.beginIntent(integrationID: "i", key: "k", claim: nil, aim: "jira:issue:FIN-1", now: now) == nil)
            let second = try #require(try await store.beginIntent(integrationID: "i", key: "k", claim: nil, aim: "jira:issue:FIN-2", now: now))
            #expect(second.aims == ["jira:issue:FIN-1"])
            // The same aim again adds nothing; a done intent still learns a replay's new aim.
            try await store.apply([.closeIntent(integrationID: "i", key: "k", targetRef: "jira:worklog:FIN-2/7")])
            let third = try #require(try await store.beginIntent(integrationID: "i", key: "k", claim: nil, aim: "jira:issue:FIN-2", now: now))
            #expect(third.state == .done && third.aims == ["jira:issue:FIN-1", "jira:issue:FIN-2"])
            for index in 0..<40 { _ = try await store.beginIntent(integrationID: "i", key: "k", claim: nil, aim: "jira:issue:X-\(index)", now: now) }
            let kept = try #require(try await store.intent(integrationID: "i", key: "k")).aims
            #expect(kept.count == IntentRecord.aimLimit && kept.last == "jira:issue:X-39")
        }
    }

    /// A key serializes every job that carries it; only jobs of one kind merge. A rollback
    /// queued beside a pending change of the same record must not replace it, nor run with it.
    @Test(arguments: TestDatabase.available)
    func jobsOfOneKeyAndAnotherKindWaitTheirTurnInsteadOfMerging(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let now = Date()
            let change = try await store.enqueue(JobRequest(kind: "change", coalesceKey: "rec-1", payload: #"{"c":1}"#, runAt: now))
            let rollback = try await store.enqueue(JobRequest(kind: "rollback", coalesceKey: "rec-1", payload: #"{"r":1}"#, runAt: now.addingTimeInterval(0.5)))
            #expect(!rollback.merged && rollback.jobID != change.jobID)
            #expect(try await store.job(id: change.jobID)?.payload == #"{"c":1}"#)
            // A second rollback request merges into the pending rollback, not into the change.
            #expect(try await store.enqueue(JobRequest(kind: "rollback", coalesceKey: "rec-1", payload: #"{"r":2}"#, runAt: now.addingTimeInterval(0.5))).jobID == rollback.jobID)

            // Both due: one claim takes only the older, and the other waits while it runs.
            let later = now.addingTimeInterval(1)
            let first = try await store.claimJobs(worker: "w", kinds: ["change", "rollback"], limit: 10, lease: .seconds(30), now: later)
            #expect(first.map(\.job.id) == [change.jobID])
            #expect(try await store.claimJobs(worker: "w2", kinds: ["change", "rollback"], limit: 10, lease: .seconds(30), now: later).isEmpty)
            // A retry of the change does not fold into the rollback: it goes back to pending, and
            // the two still run one at a time, whichever is due first.
            try await store.retryJob(try #require(first.first), at: later, error: "x", audit: AuditEntry(action: "change", outcome: .retrying))
            #expect(try await store.job(id: change.jobID)?.state == .pending)
            let next = try #require(try await store.claimJobs(worker: "w", kinds: ["change", "rollback"], limit: 10, lease: .seconds(30), now: later.addingTimeInterval(1)).first)
            try await store.completeJob(next, writes: [], audit: AuditEntry(action: next.job.kind, outcome: .succeeded), now: Date())
            let last = try await store.claimJobs(worker: "w", kinds: ["change", "rollback"], limit: 10, lease: .seconds(30), now: later.addingTimeInterval(2))
            #expect(Set([next.job.id] + last.map(\.job.id)) == [change.jobID, rollback.jobID])
            #expect(try await store.job(id: rollback.jobID)?.payload == #"{"r":2}"#)
        }
    }

    @Test(arguments: TestDatabase.available)
    func anExpiredLeaseIsClaimedAgainAndTheOldClaimCannotFinish(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let now = Date()
            let id = try await store.enqueue(JobRequest(kind: "k", runAt: now)).jobID
            let first = try #require(try await store.claimJobs(worker: "a", kinds: ["k"], limit: 1, lease: .seconds(5), now: now).first)
            #expect(first.job.id == id && first.job.attempts == 1 && first.job.state == .running)
            #expect(try await store.claimJobs(worker: "b", kinds: ["k"], limit: 1, lease: .seconds(5), now: now.addingTimeInterval(4)).isEmpty)
            #expect(try await store.claimJobs(worker: "b", kinds: ["other"], limit: 1, lease: .seconds(5), now: now.addingTimeInterval(60)).isEmpty)
            let second = try #require(try await store.claimJobs(worker: "b", kinds: ["k"], limit: 1, lease: .seconds(5), now: now.addingTimeInterval(6)).first)
            #expect(second.job.id == id && second.job.attempts == 2)
            #expect(try await store.heartbeat(first, lease: .seconds(5), now: now.addingTimeInterval(6)) == false)
            await #expect(throws: StoreError.leaseLost(jobID: id)) {
                try await store.completeJob(first, writes: [], audit: AuditEntry(action: "k", outcome: .succeeded), now: Date())
            }
            #expect(try await store.heartbeat(second, lease: .seconds(5), now: now.addingTimeInterval(7)))
            try await store.completeJob(second, writes: [], audit: AuditEntry(action: "k", outcome: .succeeded), now: Date())
            #expect(try await store.job(id: id)?.state == .succeeded)
        }
    }

    @Test(arguments: TestDatabase.available)
    func completionAppliesItsWritesInOneTransaction(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let source = ExternalRef(system: .board, type: "task", id: "11")
            let target = ExternalRef(system: .ledger, type: "invoice", id: "22")
            let recurring = try await store.enqueue(JobRequest(kind: "poll", coalesceKey: "poll:c1", repeatEvery: .seconds(300)))
            let claim = try #require(try await store.claimJobs(worker: "w", kinds: ["poll"], limit: 1, lease: .seconds(30), now: Date()).first)
            #expect(claim.job.id == recurring.jobID)
            let finished = Date()
            try await store.completeJob(claim, writes: [
                .upsertLink(Link(integrationID: "i1", source: source, target: target, contentHash: "h1")),
                .setCursor(connectionID: "c1", feed: "invoices", value: "2026-11-20"),
                .enqueue(JobRequest(kind: "follow", coalesceKey: "f1")),
            ], audit: AuditEntry(jobID: claim.job.id, sourceRef: source.description, targetRef: target.description, action: "poll", outcome: .succeeded), now: finished)

            #expect(try await store.links(integrationID: "i1", source: source).map(\.target) == [target])
            #expect(try await store.links(integrationID: "i1", target: target).map(\.source) == [source])
            #expect(try await store.cursor(connectionID: "c1", feed: "invoices") == "2026-11-20")
            let pending = try await store.jobs(state: .pending, integrationID: nil, limit: 10)
            #expect(Set(pending.map(\.kind)) == ["follow", "poll"])
            let next = try #require(pending.first { $0.kind == "poll" })
            #expect(abs(next.runAt.timeIntervalSince(finished) - 300) < 1 && next.repeatEveryMs == 300_000)
            #expect(try await store.auditEntries(AuditFilter(ref: target.description)).count == 1)

            // A link update replaces the hash; a failed write batch leaves nothing behind.
            try await store.apply([.upsertLink(Link(integrationID: "i1", source: source, target: target, contentHash: "h2"))])
            #expect(try await store.links(integrationID: "i1").map(\.contentHash) == ["h2"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aFailedJobRetriesThenDiesThenReplays(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let id = try await store.enqueue(JobRequest(kind: "k", integrationID: "i1", payload: #"{"x":1}"#, maxAttempts: 2)).jobID
            let first = try #require(try await store.claimJobs(worker: "w", kinds: ["k"], limit: 1, lease: .seconds(30), now: Date()).first)
            try await store.retryJob(first, at: Date().addingTimeInterval(-1), error: "503 from vendor", audit: AuditEntry(jobID: id, action: "k", outcome: .retrying))
            let second = try #require(try await store.claimJobs(worker: "w", kinds: ["k"], limit: 1, lease: .seconds(30), now: Date()).first)
            #expect(second.job.attempts == 2 && second.job.lastError == "503 from vendor")
            let letter = try await store.deadLetterJob(second, error: "validation: amount", errorKind: "validation", audit: AuditEntry(jobID: id, attempt: 2, action: "k", outcome: .dead))
            #expect(try await store.job(id: id)?.state == .dead)
            #expect(try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).map(\.id) == [letter.id])
            #expect(try await store.deadLetter(id: id)?.payload == #"{"x":1}"#)

            let replayID = try await store.replay(id: letter.id, now: Date())
            let replayed = try #require(try await store.job(id: replayID))
            #expect(replayed.state == .pending && replayed.attempts == 0 && replayed.replayOf == id && replayed.payload == #"{"x":1}"# && replayed.source == .replay)
            #expect(try await store.deadLetters(tenant: nil, includeReplayed: false, limit: 10).isEmpty)
            #expect(try await store.deadLetter(id: letter.id)?.replayJobID == replayID)
            #expect(try await store.auditEntries(AuditFilter(jobID: id)).map(\.outcome) == [.dead, .retrying])
            await #expect(throws: StoreError.self) { try await store.replay(id: "no-such-id", now: Date()) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theAuditTrailIsAppendOnlyAndFilterable(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let old = Date().addingTimeInterval(-3600)
            try await store.appendAudit(AuditEntry(at: old, integrationID: "i1", sourceRef: "asana:task:1", action: "a", outcome: .succeeded))
            try await store.appendAudit(AuditEntry(integrationID: "i1", sourceRef: "asana:task:2", targetRef: "freshbooks:invoice:9", action: "a", outcome: .dead, error: "boom",
                                                   exchanges: [ExchangeSummary(system: "freshbooks", method: "POST", url: "https://x/y", status: 422, durationMs: 12)]))
            try await store.appendAudit(AuditEntry(integrationID: "i2", action: "b", outcome: .succeeded))
            #expect(try await store.auditEntries(AuditFilter(integrationID: "i1")).count == 2)
            #expect(try await store.auditEntries(AuditFilter(ref: "freshbooks:invoice:9")).first?.exchanges.first?.status == 422)
            #expect(try await store.auditEntries(AuditFilter(outcome: .dead)).map(\.error) == ["boom"])
            #expect(try await store.auditEntries(AuditFilter(since: old.addingTimeInterval(60))).count == 2)
            #expect(try await store.auditEntries(AuditFilter(until: old.addingTimeInterval(60))).count == 1)
            #expect(try await store.auditEntries(AuditFilter(limit: 1)).count == 1)
            // By id, however many entries came after it (`rollback <audit-id>` looks an entry up so).
            let oldest = try #require(try await store.auditEntries(AuditFilter(integrationID: "i1")).last?.id)
            #expect(try await store.auditEntries(AuditFilter(id: oldest, limit: 1)).map(\.sourceRef) == ["asana:task:1"])
            #expect(try await store.auditEntries(AuditFilter(id: oldest + 1000, limit: 1)).isEmpty)
            await #expect(throws: (any Error).self) { try await store.backend.query("UPDATE audit_entries SET outcome = 'succeeded'", []) }
            await #expect(throws: (any Error).self) { try await store.backend.query("DELETE FROM audit_entries", []) }
            #expect(try await store.auditEntries(AuditFilter()).count == 3)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theInboxDropsADeliveryItHasSeen(_ database: TestDatabase) async throws {
        try await database.withStore { store throws in
            let event = ChangeEvent(eventID: "evt-1", ref: ExternalRef(system: .board, type: "task", id: "5"), action: .updated, connectionID: "c")
            let item = InboxItem(system: .board, event: event, subscriptionID: nil, jobs: [JobRequest(kind: "k", coalesceKey: "task-5")])
            #expect(try await store.ingest([item]).count == 1)
            #expect(try await store.ingest([item, item]).isEmpty)
            #expect(try await store.jobCounts()[.pending] == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func subscriptionSecretsAreSealed(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            var subscription = WebhookSubscription(system: .board, connectionID: nil, resource: "project:1")
            try await store.saveSubscription(subscription, secret: nil)
            #expect(try await store.subscriptionSecret(id: subscription.id) == nil)
            subscription.status = .active
            try await store.saveSubscription(subscription, secret: "hook-secret-abcdef")
            #expect(try await store.subscriptionSecret(id: subscription.id) == "hook-secret-abcdef")
            subscription.lastHeartbeatAt = Date()
            try await store.saveSubscription(subscription, secret: nil)
            #expect(try await store.subscriptionSecret(id: subscription.id) == "hook-secret-abcdef")
            #expect(try await store.subscription(id: subscription.id)?.status == .active)
            let raw = try await store.backend.query("SELECT secret_envelope FROM webhook_subscriptions", [])
            #expect(!"\(raw)".contains("hook-secret-abcdef"))

            // Field-level updates leave every other field as it was.
            try await store.updateSubscription(id: subscription.id, status: nil, externalID: "cb-77")
            try await store.setSubscriptionSecret(id: subscription.id, secret: "rotated-secret-123", status: .pending)
            try await store.updateSubscription(id: subscription.id, status: .failing, externalID: nil)
            let updated = try #require(try await store.subscription(id: subscription.id))
            #expect(updated.externalID == "cb-77" && updated.status == .failing && updated.resource == "project:1")
            #expect(try await store.subscriptionSecret(id: subscription.id) == "rotated-secret-123")
            await #expect(throws: StoreError.self) { try await store.updateSubscription(id: "missing", status: .active, externalID: nil) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentClaimersNeverShareAJob(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            for index in 0..<200 { try await store.enqueue(JobRequest(kind: "k", payload: "{\"n\":\(index)}")) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let claims = try await store.claimJobs(worker: "w\(worker)", kinds: ["k"], limit: 3, lease: .seconds(60), now: Date())
                            if claims.isEmpty { return mine }
                            mine += claims.map(\.job.id)
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == 200)
            #expect(Set(claimed).count == 200)
        }
    }

    @Test(arguments: TestDatabase.available)
    func keyRotationResealsEverySecret(_ database: TestDatabase) async throws {
        let directory = try TestDatabase.temporaryDirectory()
        let url: String? = database == .postgres ? try await TestDatabase.freshPostgresDatabase() : nil
        // The key file keyring (no ML_CONNECTOR_MASTER_KEY), as an operator's default install has.
        let open = { try await SQLStore.open(databaseURL: url, dataDirectory: directory, keyring: try Keyring.load(environment: [:], dataDirectory: directory)) }
        try await withStarted(open, stop: { await $0.close() }) { store throws in
            let oldKey = store.vault.keyring.activeKeyID
            for index in 0..<1000 {
                try await store.addConnection(Connection(id: "c\(index)", system: .tracker), credential: Credential(kind: .apiToken, accessToken: "token-number-\(index)"))
            }
            let subscription = WebhookSubscription(system: .tracker, connectionID: "c1")
            try await store.saveSubscription(subscription, secret: "webhook-secret-1")

            let newKey = try store.vault.keyring.addActiveKey()
            #expect(newKey != oldKey)
            #expect(try await store.resealSecrets() == 1001)
            #expect(try await store.sealingKeys() == [newKey: 1001])
            #expect(try store.vault.keyring.prune(keeping: []) == [oldKey])

            // Another process, loading the key file now, has only the new key and opens everything.
            try await withStarted(open, stop: { await $0.close() }) { other throws in
                #expect(other.vault.keyring.knownKeyIDs == [newKey])
                for index in stride(from: 0, to: 1000, by: 97) {
                    #expect(try await other.credential(for: "c\(index)").credential.accessToken == "token-number-\(index)")
                }
                #expect(try await store.subscriptionSecret(id: subscription.id) == "webhook-secret-1")
            }
        }
    }
}
