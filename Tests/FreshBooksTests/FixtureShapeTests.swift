import AsyncHTTPClient
import ConnectorKit
import FreshBooks
import Foundation
import NIOCore
import Sandbox
import TestSupport
import Testing

/// The sandbox answers with the fields and envelopes of FreshBooks' own recorded responses
/// (`../shared/specs/freshbooks/fixtures`, from the official Python SDK).
@Suite struct FixtureShapeTests {
    func fixture(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try Data(contentsOf: try SharedSpecs.file("freshbooks/fixtures/\(name)")))
    }

    func get(_ fixture: FreshBooksFixture, _ path: String, token: Bool = true) async throws -> (Int, Any) {
        var request = HTTPClientRequest(url: fixture.server.baseURL + path)
        if token {
            let credential = try await fixture.store.credential(for: fixture.connection.id).credential
            request.headers.add(name: "Authorization", value: "Bearer \(credential.accessToken ?? "")")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try JSONSerialization.jsonObject(with: Data(buffer: body)))
    }

    /// Every key of `expected` is in `actual` with the same JSON kind (null matches anything),
    /// recursively; arrays compare their first elements.
    func missing(_ expected: Any, _ actual: Any, path: String = "$") -> [String] {
        switch (expected, actual) {
        case (let e as [String: Any], let a as [String: Any]):
            // Maps keyed by account id hold data, not fields; `test_amount` is an artifact of the
            // SDK's own test, not a FreshBooks field.
            if ["$.response.permissions", "$.response.subscription_statuses"].contains(path) { return [] }
            return e.keys.sorted().filter { $0 != "test_amount" }.flatMap { key -> [String] in
                guard let value = a[key] else { return ["\(path).\(key)"] }
                return missing(e[key]!, value, path: "\(path).\(key)")
            }
        case (let e as [Any], let a as [Any]):
            guard let first = e.first, let other = a.first else { return [] }
            return missing(first, other, path: "\(path)[0]")
        case (is NSNull, _), (_, is NSNull):
            return []
        case (is [String: Any], _), (is [Any], _):
            return ["\(path) (kind)"]
        default:
            return type(of: expected) == type(of: actual) || (expected is NSNumber && actual is NSNumber) || (expected is String && actual is String) ? [] : ["\(path) (kind)"]
        }
    }

    @Test(.enabled(if: SharedSpecs.available, "../shared/specs not found (set ML_CONNECTOR_SPECS_DIR)"))
    func responsesHaveTheFixturesFieldsAndEnvelopes() async throws {
        try await FreshBooksFixture.with { fixture in
            let customer = try await fixture.makeClient()
            let project = try await fixture.client.createProject(ProjectDraft(title: "Shape", dueDate: "2026-12-01", clientID: customer.id))
            let entry = try #require(fixture.sandbox.logTime(projectID: project.id, clientID: customer.id, seconds: 3600, note: "Stuff"))
            try await DeliveryReceiver.with { receiver in
                let callback = try await fixture.client.createCallback(event: "invoice.create", uri: receiver.server.baseURL + "/hook")
                let account = fixture.sandbox.accountID
                let business = fixture.sandbox.businessID

                let checks: [(String, String)] = [
                    ("auth_me_response.json", "/auth/api/v1/users/me"),
                    ("list_clients_response.json", "/accounting/account/\(account)/users/clients"),
                    ("get_client_response.json", "/accounting/account/\(account)/users/clients/\(customer.id)"),
                    ("get_project_response.json", "/projects/business/\(business)/project/\(project.id)"),
                    ("list_projects_response.json", "/projects/business/\(business)/projects"),
                    ("get_time_entry_response.json", "/timetracking/business/\(business)/time_entries/\(entry)"),
                    ("list_time_entries_response.json", "/timetracking/business/\(business)/time_entries"),
                    ("get_callback_response.json", "/events/account/\(account)/events/callbacks/\(callback.callbackid)"),
                    ("list_callbacks_response.json", "/events/account/\(account)/events/callbacks"),
                    ("get_client_response__not_found.json", "/accounting/account/\(account)/users/clients/1"),
                    ("get_project_response__not_found.json", "/projects/business/\(business)/project/1"),
                ]
                for (name, path) in checks {
                    let (_, body) = try await get(fixture, path)
                    let gaps = missing(try self.fixture(name), body)
                    #expect(gaps.isEmpty, "\(name): \(gaps)")
                }
                let unauthenticated: [(String, String)] = [
                    ("auth_me_response__no_auth.json", "/auth/api/v1/users/me"),
                    ("get_callback_response__no_auth.json", "/events/account/\(account)/events/callbacks/\(callback.callbackid)"),
                    ("get_project_response__no_auth.json", "/projects/business/\(business)/project/\(project.id)"),
                ]
                for (name, path) in unauthenticated {
                    let (status, body) = try await get(fixture, path, token: false)
                    #expect(status == 401)
                    let gaps = missing(try self.fixture(name), body)
                    #expect(gaps.isEmpty, "\(name): \(gaps)")
                }
            }
        }
    }
}
