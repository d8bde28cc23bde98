@testable import Acumatica
import ConnectorKit
import Foundation
import Testing

/// A wait for an API-user seat ends: when its task is cancelled, or after a bounded time with
/// a transient error; and a `sessions` setting that is not a whole number from 1 to 50 is an
/// error naming it, at `connection add` as in a job.
@Suite struct SessionSeatsTests {
    @Test func aWaitForASeatEndsOnCancellationOrAfterItsLimit() async throws {
        let seats = SessionSeats()
        try await seats.take("c", limit: 1)

        // All seats held: the wait gives up with a transient error instead of waiting for ever.
        let timedOut = await #expect(throws: ConnectorError.self) { try await seats.take("c", limit: 1, wait: .milliseconds(50)) }
        #expect(timedOut?.kind == "transient" && timedOut?.description.contains("sessions") == true)

        // A cancelled waiter leaves at once.
        let waiter = Task { try await seats.take("c", limit: 1, wait: .seconds(600)) }
        while await seats.waiters(of: "c") == 0 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await seats.waiters(of: "c") == 0)

        // Neither abandoned wait kept a seat: the one seat given back is free again.
        await seats.giveBack("c")
        try await seats.take("c", limit: 1, wait: .milliseconds(50))
        // And a waiter still queued gets the next seat given back.
        let next = Task { try await seats.take("c", limit: 1, wait: .seconds(600)) }
        while await seats.waiters(of: "c") == 0 { await Task.yield() }
        await seats.giveBack("c")
        try await next.value
    }

    @Test(arguments: ["abc", "1e20", "99999999999999999999", "0", "-1", "51", "2.5"])
    func aSessionsSettingOutsideOneToFiftyIsAnError(_ text: String) throws {
        var connection = Connection(id: "acu", system: .acumatica, baseURLs: [:])
        connection[setting: .acumaticaSessions] = text
        #expect(throws: ConnectorError.self) { try SessionSeats.limit(of: connection) }
    }

    @Test func aSessionsSettingIsTheLimitAndOneWhenUnset() throws {
        var connection = Connection(id: "acu", system: .acumatica, baseURLs: [:])
        #expect(try SessionSeats.limit(of: connection) == 1)
        connection[setting: .acumaticaSessions] = "50"
        #expect(try SessionSeats.limit(of: connection) == 50)
    }

    @Test func connectionAddRefusesAnUnusableSessionsSetting() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        var connection = fixture.connection
        connection[setting: .acumaticaSessions] = "1e20"
        let refused = await #expect(throws: ConnectorError.self) { try await AcumaticaConnector().identify(pipeline: fixture.pipeline, connection: connection) }
        #expect(refused?.kind == "validation" && refused?.description.contains("1e20") == true)
        #expect(fixture.sandbox.openSessions == 0)
    }
}
