@testable import Engine
import Testing

/// The doorbell that wakes idle workers: a ring wakes them, a timeout wakes its own waiter only,
/// and a wait that ended leaves nothing behind that rings later (which made idle workers wake
/// each other without end, each wake a claim query holding the store).
@Suite struct DoorbellTests {
    @Test func aWaitEndedByARingLeavesNoTimerThatRingsLater() async throws {
        let bell = Doorbell()
        let first = Task { await bell.wait(timeout: .seconds(30)) }
        try await waitUntilWaiting(bell)
        await bell.ring()
        await first.value
        // The first wait's timer was cancelled; it must not ring now.
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let started = clock.now
        await bell.wait(timeout: .milliseconds(300))
        #expect(clock.now - started >= .milliseconds(250))
    }

    @Test func aTimeoutWakesItsOwnWaiterOnly() async throws {
        let bell = Doorbell()
        let patient = Task { await bell.wait(timeout: .seconds(30)) }
        try await waitUntilWaiting(bell)
        await bell.wait(timeout: .milliseconds(100))
        try await Task.sleep(for: .milliseconds(200))
        #expect(await bell.waiting == 1)
        await bell.ring()
        await patient.value
        #expect(await bell.waiting == 0)
    }

    @Test func aRingWithNoOneWaitingIsKeptForTheNextWait() async {
        let bell = Doorbell()
        await bell.ring()
        let clock = ContinuousClock()
        let started = clock.now
        await bell.wait(timeout: .seconds(30))
        #expect(clock.now - started < .seconds(5))
    }

    private func waitUntilWaiting(_ bell: Doorbell) async throws {
        for _ in 0..<500 where await bell.waiting == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(await bell.waiting == 1)
    }
}
