import ConnectorKit
import Engine
import Flows
import Store

/// What this build can run, for one process: the system catalogue over one HTTP pipeline, the
/// integration registry, and the job registry and verifiers made from them.
struct Components {
    let catalog: SystemCatalog
    let integrations: IntegrationRegistry

    init(store: SQLStore, publicURL: String? = nil) {
        catalog = SystemCatalog(pipeline: HTTPPipeline(credentials: store), publicURL: publicURL)
        integrations = IntegrationRegistry()
    }

    /// Every job handler: the systems' and the integrations'.
    func registry() -> JobRegistry {
        integrations.jobRegistry(catalog: catalog)
    }

    /// Every webhook verifier.
    var verifiers: [any WebhookVerifier] { catalog.verifiers }

    /// The context integration operations run in.
    func context(store: any Store) -> IntegrationContext {
        IntegrationContext(store: store, catalog: catalog)
    }
}
