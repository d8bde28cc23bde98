import Sandbox

/// The sandboxes and scenarios `demo` and `sandbox` run: adding a system or an integration
/// adds one line here beside its folder.
public enum DemoRegistry {
    /// Starts each bundled sandbox on a port (0: any free one), with sample records or empty.
    public static let sandboxes: [@Sendable (_ port: Int, _ samples: Bool) async throws -> any DemoSandbox] = [
        FreshBooksDemoSandbox.start,
        AsanaDemoSandbox.start,
        QuickBooksDemoSandbox.start,
        AcumaticaDemoSandbox.start,
        JiraDemoSandbox.start,
    ]

    /// One scenario per integration.
    public static let plays: [any DemoPlay] = [
        AgencyWeek(),
        ServicesFirmMonth(),
        ConstructionWeek(),
        ServicesFirm(),
    ]
}
