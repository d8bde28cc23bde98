import Foundation
import Sandbox
import TestSupport
import Testing

/// The python-quickbooks SDK works against the sandbox unchanged but for its base URLs: the
/// sandbox is written from Intuit's contract, not from our client. CI installs the SDK in a
/// virtual environment and names its interpreter in ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON.
@Suite struct OfficialSDKTests {
    static let python = ProcessInfo.processInfo.environment["ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Conformance/quickbooks_sdk_check.py").path

    @Test("python-quickbooks against the sandbox", .enabled(if: python != nil, "ML_CONNECTOR_TEST_VENDOR_SDK_PYTHON is not set"))
    func theOfficialSDKWorksAgainstTheSandbox() async throws {
        var configuration = QuickBooksSandbox.Configuration()
        // python-quickbooks does not pace itself; QBO's 10/s per realm would answer 429 to a script.
        configuration.requestsPerSecond = 1000
        let (sandbox, server) = try await QuickBooksSandbox.serve(configuration: configuration)
        defer { Task { await server.stop() } }
        let description = try JSONSerialization.data(withJSONObject: ["quickbooks": sandbox.describe(server: server)])
        let result = try await PackageExecutable.runExecutable(try #require(Self.python), [Self.script, String(decoding: description, as: UTF8.self)])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(found["company_name"] as? String == "Sandbox Builders LLC")
        #expect(found["same_request_same_vendor"] as? Bool == true)
        #expect(found["bill_total"] as? String == "250.75")
        #expect(found["bill_sync_token"] as? String == "1")
        #expect(found["bills_queried"] as? Int == 3)
        #expect(found["bills_counted"] as? Int == 3)
        #expect(found["bills_where"] as? Int == 3)
        #expect(found["cdc_bills"] as? Int == 1)
        #expect(found["cdc_vendors"] as? Int == 1)
        #expect(found["refreshed"] as? Bool == true)
        #expect(sandbox.count("Bill") == 3 && sandbox.count("Vendor") == 3)
    }
}
