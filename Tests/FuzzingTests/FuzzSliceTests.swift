import ConnectorKit
import Flows
import Fuzzing
import Testing

/// A short slice of the benchmark's fuzz run (`mlc-bench fuzz --inputs 1000000`): every parser
/// of outside input over 2,000 hostile inputs, with no crash and only typed errors.
@Suite struct FuzzSliceTests {
    @Test(arguments: FuzzTarget.all.map(\.name))
    func parserSurvivesHostileInputs(_ name: String) throws {
        let target = try #require(FuzzTarget.all.first { $0.name == name })
        let tally = try #require(FuzzRunner.run([target], inputs: 2000, seed: 20_240_601).first)
        #expect(tally.inputs == 2000)
        #expect(tally.problems.isEmpty, "\(tally.problems)")
    }

    @Test func theYAMLSeedLoadsSoMutationsReachTheChecks() throws {
        #expect(try FreshBooksAsanaConfig.load(yaml: FuzzTarget.sampleYAML).name == "agency-billing")
    }

    @Test func theGeneratorIsReplayable() {
        var first = HostileInputs(seed: 7)
        var second = HostileInputs(seed: 7)
        #expect((0..<50).map { _ in first.string() } == (0..<50).map { _ in second.string() })
    }
}
