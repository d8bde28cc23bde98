import Foundation
import Sandbox
import TestSupport
import Testing

/// Atlassian's Python client (`jira`, pycontribs) works against the sandbox unchanged but for
/// its server URL. CI installs it in a virtual environment named by ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON.
@Suite struct JiraOfficialSDKTests {
    static let python = ProcessInfo.processInfo.environment["ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Conformance/jira_sdk_check.py").path

    @Test("jira (Python) against the sandbox", .enabled(if: python != nil, "ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON is not set"))
    func theOfficialSDKWorksAgainstTheSandbox() async throws {
        try await withSandbox(try await JiraSandbox.serve()) { sandbox, server in
            let description = try JSONSerialization.data(withJSONObject: ["jira": sandbox.describe(server: server)])
            let result = try await PackageExecutable.runExecutable(try #require(Self.python), [Self.script, String(decoding: description, as: UTF8.self)])
            #expect(result.status == 0, "\(result.stderr.suffix(1500))")
            let found = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(found["me"] as? String == "avery@sandbox-agency.test")
            #expect(found["deployment"] as? String == "Cloud")
            #expect(found["created"] as? String == "MLC-1")
            #expect(found["labels"] as? [String] == ["mlc-sdk-1", "sdk"])
            #expect(found["searched"] as? [String] == ["MLC-1"])
            #expect(found["worklog_seconds"] as? Int == 3600)
            #expect(found["worklogs"] as? Int == 1)
            #expect(found["status"] as? String == "Done")
        }
    }
}
