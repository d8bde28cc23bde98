import ArgumentParser
import Foundation
import Demo

/// `ml-connector sandbox`: every vendor emulator on loopback, seeded, until interrupted.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "Run the vendor sandboxes on loopback until interrupted.")

    @Option(help: "The first port (each sandbox takes the next); 0 picks free ports.")
    var port: Int = 0

    @Flag(help: "Print one JSON object on one line once ready.")
    var json = false

    func validate() throws {
        if !(0...65000).contains(port) { throw ValidationError("--port must be 0–65000, got \(port)") }
    }

    func run() async throws {
        let sandboxes = try await DemoSandboxes.start(port: port, samples: true)
        let description = Dictionary(uniqueKeysWithValues: sandboxes.all.map { ($0.system.rawValue, $0.describe() as Any) })
        let data = try JSONSerialization.data(withJSONObject: description, options: [.sortedKeys, .withoutEscapingSlashes])
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            for sandbox in sandboxes.all { sandbox.describeLines().forEach { print($0) } }
            print("Ctrl-C stops them.")
        }
        fflush(nil)
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
