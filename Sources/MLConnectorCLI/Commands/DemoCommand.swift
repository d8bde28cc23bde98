import ArgumentParser
import ConnectorKit
import Engine
import Flows
import Foundation
import Logging
import Demo
import Server
import Store

/// `ml-connector demo`: the whole product on one machine with no set-up — sandboxes, SQLite,
/// the server, both connections and the FreshBooks ↔ Asana integration, run through an agency's
/// week, then a summary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Run every integration end to end against the bundled sandboxes, then keep serving.")

    @Flag(help: "End after the summary (for scripts).") var exit = false
    @Flag(help: "Print the summary as one JSON object on the last line.") var json = false
    @Option(help: "The server's port (0 picks one).") var port: Int = 0
    @Option(help: "Where to keep the demo's database (a temporary directory when absent).") var dataDir: String?

    func run() async throws {
        LoggingSetup.bootstrap()
        let started = ContinuousClock.now
        let say: @Sendable (String) -> Void = { text in FileHandle.standardError.write(Data("• \(text)\n".utf8)) }
        let directory = dataDir ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("ml-connector-demo-\(UUID().uuidString.prefix(8))")
        let store = try await SQLStore.openSQLite(dataDirectory: directory)
        say("data in \(directory) (SQLite)")
        let sandboxes = try await DemoSandboxes.start()
        say("sandboxes: " + sandboxes.all.map { "\($0.system) \($0.server.baseURL)" }.joined(separator: ", "))

        let components = Components(store: store)
        var logger = Logger(label: "ml-connector")
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let runtime = ServerRuntime(store: store, configuration: ServerConfiguration(port: port), registry: components.registry(), verifiers: components.verifiers, logger: logger)
        let server = Task { try await runtime.run { bound in portContinuation.yield(bound); portContinuation.finish() } }
        var iterator = ports.makeAsyncIterator()
        guard let boundPort = await iterator.next() else { throw CLIFailure(message: "the server did not start") }
        let serverURL = "http://127.0.0.1:\(boundPort)"
        say("server \(serverURL) (webhooks, /metrics, /healthz)")

        let environment = DemoEnvironment(store: store, sandboxes: sandboxes, serverURL: serverURL, say: say)
        var reports: [DemoReport] = []
        for play in DemoRegistry.plays {
            say(play.title)
            let callsBefore = sandboxes.apiCalls
            var played = try await play.play(in: environment)
            if played.count == 1, played[0].apiCalls.isEmpty {
                played[0].apiCalls = sandboxes.apiCalls.merging(callsBefore) { after, before in after - before }.filter { $0.value > 0 }
            }
            reports += played
        }
        let elapsed = ContinuousClock.now - started
        // Every call was made during some play: the total is theirs, including the sandboxes a
        // multi-tenant play started for itself.
        let totals = reports.reduce(into: [String: Int]()) { $0.merge($1.apiCalls, uniquingKeysWith: +) }
        let result = DemoSummary(reports: reports, apiCalls: totals, elapsedSeconds: elapsed.seconds)
        print(result.table)
        print("Look: ml-connector audit --data-dir \(directory) · ml-connector integration list --data-dir \(directory) · \(serverURL)/metrics")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
        fflush(nil)
        if exit {
            // Everything has settled (the scenario waited for an idle queue): stop here.
            await sandboxes.stop()
            await store.close()
            Foundation.exit(result.duplicates > 0 ? 1 : 0)
        }
        say("serving until Ctrl-C")
        _ = try? await server.value
        // Ctrl-C: the server let its jobs finish; now the sandboxes and the store close too.
        await sandboxes.stop()
        await store.close()
    }
}
