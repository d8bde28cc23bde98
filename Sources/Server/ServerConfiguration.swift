import Store

/// How the server listens and runs work.
public struct ServerConfiguration: Sendable {
    /// The address to bind; loopback unless the operator says otherwise.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int
    /// The largest webhook body accepted (413 above it).
    public var webhookBodyLimit: Int
    /// Jobs run at once in this process.
    public var workers: Int
    /// The URL vendors reach this server at (for webhook and OAuth callback URLs).
    public var publicURL: String?
    /// How long a job's claim lasts without a heartbeat.
    public var jobLease: Duration
    /// Timeouts and caps on clients of the server.
    public var limits: ServerLimits
    /// How long finished records are kept.
    public var retention: RetentionPolicy
    /// How long after registering a webhook a vendor's verifier is taken as a candidate.
    public var handshakeWindow: Duration

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080, webhookBodyLimit: Int = 1 << 20, workers: Int = 4, publicURL: String? = nil, jobLease: Duration = .seconds(60),
                limits: ServerLimits = ServerLimits(), retention: RetentionPolicy = RetentionPolicy(), handshakeWindow: Duration = .seconds(15 * 60)) {
        self.jobLease = jobLease
        self.limits = limits
        self.retention = retention
        self.handshakeWindow = handshakeWindow
        self.host = host
        self.port = port
        self.webhookBodyLimit = webhookBodyLimit
        self.workers = workers
        self.publicURL = publicURL
    }
}
