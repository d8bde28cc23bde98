import ConnectorKit
import Flows
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Sandbox
import TestSupport
import Testing

/// `ml-connector <system> <action>` is generated from the connectors' descriptors: help, flag
/// checks, an overall timeout and a visible line for every retry wait.
@Suite struct SystemActionCommandTests {
    let environment = ["ML_CONNECTOR_MASTER_KEY": TestDatabase.masterKey, "ML_CONNECTOR_LOG_LEVEL": "critical"]

    @Test func helpListsEverySystemsActionsWithTheirFlags() async throws {
        let system = try await PackageExecutable.run("ml-connector", ["asana", "--help"])
        #expect(system.status == 0)
        for action in ["list-projects", "create-task", "task-changed", "--project VALUE", "--due DAY", "(required"] {
            #expect(system.stdout.contains(action), "\(action) missing from:\n\(system.stdout)")
        }
        let action = try await PackageExecutable.run("ml-connector", ["freshbooks", "create-invoice", "--help"])
        #expect(action.status == 0 && action.stdout.contains("--line VALUE") && action.stdout.contains("repeatable") && !action.stdout.contains("list-clients"))
        let root = try await PackageExecutable.run("ml-connector", ["--help"])
        #expect(root.stdout.contains("freshbooks") && root.stdout.contains("asana") && root.stdout.contains("create-invoice"))
    }

    @Test(arguments: [
        (["asana", "create-task", "--connection", "c", "--project", "1"], "--name"),
        (["asana", "create-task", "--connection", "c", "--project", "1", "--name", "x", "--colour", "red"], "takes no --colour"),
        (["asana", "list-projects", "--connection", "c", "--archived", "maybe"], "--archived must be true or false"),
        (["freshbooks", "create-invoice", "--connection", "c", "--client", "12x", "--number", "A", "--line", "a|1|2"], "--client must be a whole number"),
        (["freshbooks", "list-clients", "--connection", "c", "--updated-since", "2026-02-30"], "--updated-since must be a date"),
        (["asana", "list-projects", "--connection", "c", "--timeout", "0"], "--timeout"),
        (["asana", "list-projects", "--connection", "c", "--timeout=-1"], "--timeout"),
        (["asana", "list-projects", "--connection", "c", "--timeout", "86401"], "--timeout"),
        (["asana", "list-projects", "--connection", "c", "--timeout", "1e20"], "--timeout"),
        (["asana", "list-projects", "--connection", "c", "--timeout", "99999999999999999999"], "--timeout"),
    ])
    func aBadFlagIsRefusedBeforeAnyCall(_ arguments: [String], _ mentions: String) async throws {
        let directory = try TestDatabase.temporaryDirectory()
        let result = try await PackageExecutable.run("ml-connector", arguments + ["--data-dir", directory], environment: environment)
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mentions), "\(result.stderr)")
    }

    /// A vendor that accepts the connection and never answers: the action ends by its timeout,
    /// with one readable line and exit 1, the token nowhere in it.
    @Test func aHangingVendorEndsWithinTheTimeout() async throws {
        let vendor = try await Self.vendor { _ in
            try await Task.sleep(for: .seconds(8))  // longer than --timeout; short enough that stopping the vendor does not wait long
            return Response(status: .ok)
        }
        let directory = try await addConnection(to: vendor)
        let started = ContinuousClock.now
        let result = try await PackageExecutable.run("ml-connector", ["asana", "list-projects", "--connection", "asana-hostile", "--team", "42", "--timeout", "3",
                                                                      "--data-dir", directory], environment: environment)
        let elapsed = ContinuousClock.now - started
        await vendor.stop()
        #expect(result.status == 1)
        #expect(elapsed < .seconds(15), "took \(elapsed)")
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("Asana ") }
        #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && result.stderr.contains("3 s"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.token) && !result.stdout.contains(Self.token))
    }

    /// A 503 then an answer: the wait is announced on stderr, then the table prints.
    @Test func aRetryWaitIsAnnounced() async throws {
        let calls = NIOLockedValueBox(0)
        let vendor = try await Self.vendor { _ in
            let call = calls.withLockedValue { count in
                count += 1
                return count
            }
            if call == 1 { return Response(status: .serviceUnavailable, headers: [.retryAfter: "1"], body: .init(byteBuffer: .init(string: "{}"))) }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: .init(string: #"{"data":[{"gid":"7","name":"Relaunch","archived":false}]}"#)))
        }
        let directory = try await addConnection(to: vendor)
        let result = try await PackageExecutable.run("ml-connector", ["asana", "list-projects", "--connection", "asana-hostile", "--team", "42", "--data-dir", directory],
                                                     environment: environment)
        await vendor.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Asana answered 503; retry 1 of 5 in 1 s"), "\(result.stderr)")
        #expect(result.stdout.contains("Relaunch"))
    }

    /// `Retry-After: 1e20` on a 429 neither crashes nor waits past the timeout.
    @Test func aHugeRetryAfterEndsWithinTheTimeout() async throws {
        let vendor = try await Self.vendor { _ in
            Response(status: .tooManyRequests, headers: [.retryAfter: "1e20"], body: .init(byteBuffer: .init(string: "{}")))
        }
        let directory = try await addConnection(to: vendor)
        let started = ContinuousClock.now
        let result = try await PackageExecutable.run("ml-connector", ["asana", "list-projects", "--connection", "asana-hostile", "--team", "42", "--timeout", "4",
                                                                      "--data-dir", directory], environment: environment)
        await vendor.stop()
        #expect(result.status == 1 && ContinuousClock.now - started < .seconds(15), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").last?.hasPrefix("error: ") == true, "\(result.stderr)")
    }

    /// Every way a broken or hostile vendor answers, through the real command: exit 1, one
    /// readable line, within the timeout, no crash, and the token nowhere.
    @Test(arguments: ["html", "truncated", "wrong-types", "loop", "negative-retry", "huge"])
    func aHostileAnswerIsOneLineAndExitOne(_ kind: String) async throws {
        let vendor = try await Self.vendor { request in
            let base = "/\(kind)"
            switch kind {
            case "html":
                return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: .init(string: "<html><body>Maintenance \(Self.token)</body></html>")))
            case "truncated":
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"data":[{"gid":"1","name":"Acme secret-na"#)))
            case "wrong-types":
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: #"{"data":[{"gid":7,"name":["private-value-42"]}]}"#)))
            case "loop":
                return Response(status: .found, headers: [.location: base + "/teams/42/projects"])
            case "negative-retry":
                return Response(status: .tooManyRequests, headers: [.retryAfter: "-1e20"], body: .init(byteBuffer: .init(string: "{}")))
            default:
                // 200 MB streamed in 1 MB chunks; the client stops reading past its 50 MB limit.
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 1024 * 1024)
                    for _ in 0..<200 { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
            }
        }
        let directory = try await addConnection(to: vendor, path: "/\(kind)")
        let started = ContinuousClock.now
        let result = try await PackageExecutable.run("ml-connector", ["asana", "list-projects", "--connection", "asana-hostile", "--team", "42", "--timeout", "8",
                                                                      "--data-dir", directory], environment: environment)
        let elapsed = ContinuousClock.now - started
        await vendor.stop()
        #expect(result.status == 1, "\(kind): \(result.status) \(result.stderr)")
        #expect(elapsed < .seconds(25), "\(kind) took \(elapsed)")
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("Asana ") }
        #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(kind): \(result.stderr)")
        #expect(!result.stderr.contains(Self.token) && !result.stdout.contains(Self.token) && !result.stderr.contains("private-value-42"), "\(kind): \(result.stderr)")
    }

    static let token = "pat-hostile-secret-0123456789"

    static func vendor(_ answer: @escaping @Sendable (Request) async throws -> Response) async throws -> SandboxServer {
        let router = Router()
        router.get("/**") { request, _ in try await answer(request) }
        return try await SandboxServer.start(router)
    }

    func addConnection(to vendor: SandboxServer, path: String = "") async throws -> String {
        let directory = try TestDatabase.temporaryDirectory()
        let added = try await PackageExecutable.run("ml-connector", ["connection", "add", "token", "asana", "--id", "asana-hostile", "--base-url", "api=\(vendor.baseURL)\(path)",
                                                                     "--data-dir", directory], input: Self.token + "\n", environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        return directory
    }
}

/// The CLI's own flags are never an action's.
@Suite struct ActionDescriptorTests {
    @Test func noActionUsesAFlagTheCLIKeepsForItself() {
        for connector in Registry.systems {
            for action in connector.actions {
                let clashes = action.descriptor.arguments.map(\.name).filter(ActionDescriptor.reservedFlags.contains)
                #expect(clashes.isEmpty, "\(connector.system) \(action.descriptor.name) uses \(clashes)")
            }
        }
    }
}
