import ConnectorKit
import Engine
import Foundation
import Logging
import ServiceLifecycle
import Store
import TestSupport
import Testing

@Suite struct WorkerPoolTests {
    @Test(arguments: TestDatabase.available)
    func fourWorkersDrainTheQueueRunningEachJobOnce(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler()
            for index in 0..<300 { try await store.enqueue(JobRequest(kind: handler.kind, payload: "{\"n\":\(index)}")) }
            let pool = WorkerPool(runner: JobRunner(store: store, registry: JobRegistry([handler])), workers: 4, idlePoll: .milliseconds(20), shutdownGrace: .seconds(1))
            let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: Logger(label: "test")))
            try await withRunning(group) {
                try await eventually("all 300 jobs succeeded", timeout: .seconds(60)) { try await store.jobCounts()[.succeeded] == 300 }
            }
            #expect(try await store.jobCounts()[.succeeded] == 300)
            #expect(handler.ran.count == 300 && Set(handler.ran).count == 300)
        }
    }

    @Test(arguments: TestDatabase.available)
    func shutdownReleasesAJobThatDoesNotFinishInTheGracePeriod(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let handler = ScriptedHandler(steps: [.block])
            let id = try await store.enqueue(JobRequest(kind: handler.kind)).jobID
            let pool = WorkerPool(runner: JobRunner(store: store, registry: JobRegistry([handler])), workers: 1, idlePoll: .milliseconds(20), shutdownGrace: .milliseconds(300))
            let group = ServiceGroup(configuration: .init(services: [.init(service: pool)], logger: Logger(label: "test")))
            try await withRunning(group) {
                try await eventually("the job running", interval: .milliseconds(20)) { try await store.job(id: id)?.state == .running }
            }
            let job = try #require(try await store.job(id: id))
            #expect(job.state == .pending && job.attempts == 0)
        }
    }

    @Test("two processes on PostgreSQL drain 5,000 jobs, none run twice, none lost",
          .enabled(if: TestDatabase.postgresAvailable, "ML_CONNECTOR_TEST_POSTGRES_URL is not set"))
    func twoProcessesDrainFiveThousandJobs() async throws {
        try await TestDatabase.postgres.withTestStore { test in
            let store = test.store
            let requests = (0..<5000).map { JobRequest(kind: "drill.count", payload: "{\"n\":\($0)}") }
            try await store.apply(requests.map { .enqueue($0) })
            let log = test.dataDirectory + "/runs.log"
            let drills = try (0..<2).map { _ in
                try PackageExecutable.start("mlc-drill", ["drain", "--workers", "4", "--log", log] + test.processArguments,
                                            environment: ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey])
            }
            for drill in drills {
                let result = await drill.finish()
                #expect(result.status == 0, "\(result.stderr.suffix(2000))")
            }
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            let jobIDs = lines.map { $0.split(separator: " ")[0] }
            let processes = Set(lines.map { $0.split(separator: " ")[1] })
            #expect(jobIDs.count == 5000)
            #expect(Set(jobIDs).count == 5000)
            #expect(processes.count == 2)
            #expect(try await store.jobCounts()[.succeeded] == 5000)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aKilledWorkersJobRunsAgainAfterItsLease(_ database: TestDatabase) async throws {
        try await database.withTestStore { test in
            let store = test.store
            let id = try await store.enqueue(JobRequest(kind: "drill.hang")).jobID
            let worker = try PackageExecutable.start("mlc-drill", ["hang", "--lease-ms", "1500"] + test.processArguments,
                                                     environment: ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey])
            let line = await worker.waitForLine(containing: "claimed")
            #expect(line == "claimed \(id)")
            worker.kill9()
            #expect(try await store.job(id: id)?.state == .running)

            let finisher = ScriptedHandler(kind: "drill.hang")
            let runner = JobRunner(store: store, registry: JobRegistry([finisher]))
            #expect(try await store.claimJobs(worker: "t", kinds: ["drill.hang"], limit: 1, lease: .seconds(30), now: Date()).isEmpty)
            var claim: JobClaim?
            try await eventually("the job claimable again after its lease", timeout: .seconds(10), interval: .milliseconds(100)) {
                claim = try await store.claimJobs(worker: "t", kinds: ["drill.hang"], limit: 1, lease: .seconds(30), now: Date()).first
                return claim != nil
            }
            let reclaimed = try #require(claim)
            #expect(reclaimed.job.id == id && reclaimed.job.attempts == 2)
            #expect(await runner.run(reclaimed) == .succeeded)
            #expect(try await store.job(id: id)?.state == .succeeded)
        }
    }
}
