import ConnectorKit
import Engine
import Flows
import Store

/// What this build can run, for one process: the system catalog over one HTTP pipeline, and
/// the job registry and verifiers made from it.
struct Components {
    let catalog: SystemCatalog

    init(store: SQLStore, publicURL: String? = nil) {
        catalog = SystemCatalog(pipeline: HTTPPipeline(credentials: store), publicURL: publicURL)
    }

    /// Integration change-job kinds this build runs.
    var routableKinds: Set<String> { Set(catalog.integrationHandlers().map(\.kind)) }

    /// Every job handler: the systems' and the integrations'.
    func registry() -> JobRegistry {
        JobRegistry(catalog.handlers(routableKinds: routableKinds) + catalog.integrationHandlers())
    }

    /// Every webhook verifier.
    var verifiers: [any WebhookVerifier] { catalog.verifiers }
}
