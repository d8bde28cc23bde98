import ConnectorKit
import Foundation
import Sandbox

/// The webhook deliveries a sandbox sent or dropped, read from its `/_sandbox/stats` as the demo
/// reads them: each with the vendor's details plus `status` (nil when unanswered or dropped) and
/// `dropped`. A record to wait on, where a test would otherwise sleep.
public func sandboxDeliveries(of server: SandboxServer, through pipeline: HTTPPipeline, connection: Connection, provider: ProviderDescription) async throws -> [JSONValue] {
    let response = try await pipeline.sendUnauthenticated(OutboundRequest(method: .GET, url: server.baseURL + "/_sandbox/stats"), connection: connection, provider: provider)
    return try JSONValue.parse(Data(response.text.utf8))["deliveries"]?.array ?? []
}
