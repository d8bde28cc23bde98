import Foundation
import Sandbox
import TestSupport
import Testing

/// Asana's own Python SDK works against the sandbox unchanged but for its host. CI installs it
/// in a virtual environment and names the interpreter in ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON.
@Suite struct AsanaOfficialSDKTests {
    static let python = ProcessInfo.processInfo.environment["ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Conformance/asana_sdk_check.py").path

    @Test("asana (official, Python) against the sandbox", .enabled(if: python != nil, "ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON is not set"))
    func theOfficialSDKWorksAgainstTheSandbox() async throws {
        try await withSandbox(try await AsanaSandbox.serve()) { sandbox, server in
            let description = try JSONSerialization.data(withJSONObject: ["asana": sandbox.describe(server: server, projectGID: sandbox.seedProject(name: "Seed"))])
            let result = try await PackageExecutable.runExecutable(try #require(Self.python), [Self.script, String(decoding: description, as: UTF8.self)])
            #expect(result.status == 0, "\(result.stderr.suffix(1500))")
            let found = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(found["me"] as? String == "avery@sandbox-agency.test")
            #expect(found["project"] as? String == "SDK project")
            #expect(found["projects_listed"] as? Int == 2)
            #expect(found["task_amount"] as? [String] == ["12.50"])
            #expect(found["completed"] as? Bool == true)
            #expect(found["tasks_listed"] as? Int == 1)
            #expect(found["stories"] as? Int == 1)
        }
    }
}
