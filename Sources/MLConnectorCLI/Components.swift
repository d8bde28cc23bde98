import ConnectorKit
import Engine

/// What this build can run: the job handlers and webhook verifiers of every system and
/// integration compiled in. Systems and integrations add themselves here.
enum Components {
    /// Every job handler.
    static func registry() -> JobRegistry {
        JobRegistry([])
    }

    /// Every webhook verifier.
    static func verifiers() -> [any WebhookVerifier] {
        []
    }
}
