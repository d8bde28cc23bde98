import Metrics
import Prometheus
import Store

/// The process's Prometheus registry, installed once as the swift-metrics backend so that
/// counters made anywhere (the HTTP pipeline, the job runner) appear on `/metrics`.
public enum Telemetry {
    /// The registry `/metrics` renders.
    public static let registry = PrometheusCollectorRegistry()

    private static let installed: Bool = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return true
    }()

    /// Installs the registry as the metrics backend (idempotent).
    public static func bootstrap() {
        _ = installed
    }

    /// Renders the registry, after refreshing the gauges that are read from the store.
    public static func render(store: any Store) async -> String {
        bootstrap()
        if let counts = try? await store.jobCounts() {
            for (state, count) in counts {
                Gauge(label: "mlc_jobs", dimensions: [("state", state.rawValue)]).record(count)
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Counts one webhook delivery by system and outcome.
    public static func countDelivery(system: String, outcome: String) {
        Counter(label: "mlc_webhook_deliveries_total", dimensions: [("system", system), ("outcome", outcome)]).increment()
    }
}
