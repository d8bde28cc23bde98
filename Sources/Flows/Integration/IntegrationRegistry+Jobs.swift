import ConnectorKit
import Engine

extension IntegrationRegistry {
    /// Every job handler one process runs: the systems' (their change jobs routed to these
    /// integrations) and the integrations' own, all over the catalogue's one pipeline.
    public func jobRegistry(catalog: SystemCatalog) -> JobRegistry {
        JobRegistry(catalog.handlers(routableKinds: changeKinds) + handlers(pipeline: catalog.pipeline))
    }
}
