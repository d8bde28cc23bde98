/// How much a client of the server may take: time to send a request, connections at once,
/// bytes per body. Every webhook route faces the open internet, so none of these is unbounded.
public struct ServerLimits: Sendable, Equatable {
    /// Time a client has to send a complete request head, from connecting or from the end of
    /// the previous response (a slow-loris sender is cut off here).
    public var headerTimeout: Duration
    /// Time a client has to send a request body once its head arrived.
    public var bodyTimeout: Duration
    /// Time a connection may sit with nothing happening.
    public var idleTimeout: Duration
    /// Connections served at once; further ones wait in the listen backlog.
    public var maxConnections: Int
    /// The largest body a route other than the webhooks accepts (health and metrics take none).
    public var otherRouteBodyLimit: Int

    /// Describes the limits; the defaults suit a webhook endpoint on the open internet.
    public init(headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60),
                maxConnections: Int = 512, otherRouteBodyLimit: Int = 0) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = max(1, maxConnections)
        self.otherRouteBodyLimit = max(0, otherRouteBodyLimit)
    }
}
