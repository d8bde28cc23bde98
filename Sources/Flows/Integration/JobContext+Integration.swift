import ConnectorKit
import Engine
import Store

extension JobContext {
    /// The integration a job belongs to; an error for good when it is gone (removed since the
    /// job was queued).
    public func integration(of job: JobRecord) async throws -> IntegrationRecord {
        guard let id = job.integrationID, let integration = try await store.integration(id: id) else {
            throw ConnectorError.permanent("integration \(job.integrationID ?? "?") no longer exists")
        }
        return integration
    }
}
