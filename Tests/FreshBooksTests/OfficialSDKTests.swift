import Foundation
import Sandbox
import TestSupport
import Testing

/// FreshBooks' own Python SDK works against the sandbox unchanged but for its base URLs: the
/// sandbox is written from the vendor's contract, not from our client. CI installs the SDK in a
/// virtual environment and names its interpreter in ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON.
@Suite struct OfficialSDKTests {
    static let python = ProcessInfo.processInfo.environment["ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Conformance/freshbooks_sdk_check.py").path

    @Test("freshbooks-sdk (official, Python) against the sandbox", .enabled(if: python != nil, "ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON is not set"))
    func theOfficialSDKWorksAgainstTheSandbox() async throws {
        try await withSandbox(try await FreshBooksSandbox.serve()) { sandbox, server in
            let description = try JSONSerialization.data(withJSONObject: ["freshbooks": sandbox.describe(server: server)])
            let result = try await PackageExecutable.runExecutable(try #require(Self.python), [Self.script, String(decoding: description, as: UTF8.self)])
            #expect(result.status == 0, "\(result.stderr.suffix(1500))")
            let found = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(found["business_ids"] as? [Int] == [sandbox.businessID, 439001])
            #expect(found["clients_listed"] as? Int == 1)
            #expect(found["invoice_status"] as? String == "draft")
            #expect(found["invoice_amount"] as? String == "251.00")
            #expect(found["lines"] as? Int == 1)
            #expect(found["by_number"] as? Int == 1)
            #expect(found["project_title"] as? String == "SDK project")
            #expect(found["refreshed"] as? Bool == true)
            #expect(found["after_refresh_clients"] as? Int == 1)
        }
    }
}
