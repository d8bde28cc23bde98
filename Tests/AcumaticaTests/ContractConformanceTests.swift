import Acumatica
import AsyncHTTPClient
import ConnectorKit
import Foundation
import NIOCore
import NIOFoundationCompat
import Sandbox
import TestSupport
import Testing

/// Every entity the sandbox answers, and every body the client sends, validates against the
/// contract of the version in use (`../shared/specs/acumatica/Default_<version>.json`), with the
/// same checker as Asana's. There is no official Python SDK for Acumatica to run against the
/// sandbox; the contract check and the wire shapes of the official C# client (api digest 2)
/// stand in for it.
@Suite struct ContractConformanceTests {
    static let specs = ["24.200.001", "23.200.001"].reduce(into: [String: Result<OpenAPISchemas, any Error>]()) { specs, version in
        specs[version] = Result { try OpenAPISchemas.loadJSON(try SharedSpecs.file("acumatica/Default_\(version).json").path) }
    }

    @Test(.enabled(if: SharedSpecs.available, "../shared/specs not found (set ML_CONNECTOR_SPECS_DIR)"), arguments: ["24.200.001", "23.200.001"])
    func responsesAndRequestsFollowTheContract(version: String) async throws {
        let spec = try #require(Self.specs[version]).get()
        var configuration = AcumaticaSandbox.Configuration()
        configuration.endpointVersion = version
        configuration.actionPolls = 0
        let fixture = try await AcumaticaFixture.start(version: version, configuration: configuration)
        defer { Task { await fixture.stop() } }
        let client = fixture.client
        var line = BillDetail()
        line.Qty = DecimalValue(3)
        line.UnitCost = DecimalValue(Decimal(string: "12.5"))
        line.TransactionDescription = StringValue("Hours")
        _ = try await client.createBill(BillDraft(vendor: "ACMEPAPER", vendorRef: "CONF-1", date: "2026-04-08", description: "conformance", lines: [line]))
        _ = try await client.createVendor(id: "CONFV", name: "Conformance Vendor")
        _ = try await client.releaseBill(referenceNbr: "000001")
        _ = try? await client.createBill(BillDraft(vendor: "NOBODY", vendorRef: "CONF-2"))

        // What the client sent.
        var checked = 0
        for (operation, body) in fixture.sandbox.receivedBodies() {
            let object = try JSONSerialization.jsonObject(with: body.serialized())
            let (schema, value): (String, Any) = operation.hasSuffix("/ReleaseBill") ? ("ReleaseBill", object)
                : (String(operation.split(separator: "/").last ?? ""), object)
            guard spec.has(schema) else { continue }
            let problems = spec.check(value, against: schema, request: true)
            #expect(problems.isEmpty, "\(operation) → \(schema): \(problems)")
            checked += 1
        }
        #expect(checked >= 4)

        // What the sandbox answers, every field asked for.
        let cookie = try await Self.signIn(fixture)
        let base = fixture.server.baseURL + "/entity/Default/\(version)"
        for (path, schema) in [("/Bill?$expand=Details", "Bill"), ("/PurchaseOrder?$expand=Details", "PurchaseOrder"), ("/Vendor", "Vendor"), ("/Employee", "Employee")] {
            let answer = try await Self.get(base + path, cookie: cookie)
            let list = try #require(answer as? [Any])
            #expect(!list.isEmpty)
            for (index, record) in list.enumerated() {
                let problems = spec.check(record, against: schema)
                #expect(problems.isEmpty, "\(path)[\(index)] → \(schema): \(problems)")
                #expect(Self.unknownFields(record, schema: schema, spec: spec).isEmpty, "\(path)[\(index)] has fields \(schema) does not define")
            }
        }
        await client.signOut()
    }

    @Test func topAndSkipOutsideTheirRangeAreRefusedNotTrusted() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let cookie = try await Self.signIn(fixture)
        let base = fixture.server.baseURL + "/entity/Default/24.200.001/Vendor"
        // A negative count once trapped the sandbox in `dropFirst`; 1e20 is not an integer at all.
        for query in ["$top=-1", "$skip=-1", "$top=1e20", "$skip=99999999999999999999"] {
            var request = HTTPClientRequest(url: base + "?" + query)
            request.headers.add(name: "Cookie", value: cookie)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 400, "\(query)")
        }
        let huge = try #require(try await Self.get(base + "?$skip=9223372036854775807&$top=9223372036854775807", cookie: cookie) as? [Any])
        #expect(huge.isEmpty)
        let all = try #require(try await Self.get(base + "?$top=9223372036854775807", cookie: cookie) as? [Any])
        #expect(all.count == 3)
    }

    @Test func aReadByTooFewKeysIsNotFound() async throws {
        let fixture = try await AcumaticaFixture.start()
        defer { Task { await fixture.stop() } }
        let cookie = try await Self.signIn(fixture)
        // `Bill/Bill` matches the first key field of every bill and once read past the one key given.
        for path in ["/Bill/Bill", "/PurchaseOrder/Normal"] {
            var request = HTTPClientRequest(url: fixture.server.baseURL + "/entity/Default/24.200.001" + path)
            request.headers.add(name: "Cookie", value: cookie)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 404, "\(path)")
        }
        let client = fixture.client
        #expect(try await client.bill(referenceNbr: "000001").ReferenceNbr?.value == "000001")
        await client.signOut()
    }

    /// Top-level fields the contract does not define for the entity (system fields aside).
    static func unknownFields(_ record: Any, schema: String, spec: OpenAPISchemas) -> [String] {
        guard let object = record as? [String: Any] else { return [] }
        let defined = spec.propertyNames(of: schema)
        return object.keys.filter { !defined.contains($0) && $0 != "_links" }.sorted()
    }

    static func signIn(_ fixture: AcumaticaFixture) async throws -> String {
        let app = fixture.sandbox.configuration
        var request = HTTPClientRequest(url: fixture.server.baseURL + "/entity/auth/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"name":"\#(app.username)","password":"\#(app.password)","tenant":"\#(app.tenant)","branch":"\#(app.branch)"}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return response.headers["Set-Cookie"].compactMap { $0.split(separator: ";").first.map(String.init) }.joined(separator: "; ")
    }

    static func get(_ url: String, cookie: String) async throws -> Any {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Cookie", value: cookie)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        return try JSONSerialization.jsonObject(with: Data(buffer: try await response.body.collect(upTo: 1 << 22)))
    }
}
