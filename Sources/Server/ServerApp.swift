import ConnectorKit
import Engine
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Store

/// Builds the HTTP application: health, readiness, metrics and webhook ingress.
public struct ServerApp: Sendable {
    /// Listen address, limits.
    public var configuration: ServerConfiguration
    /// The store.
    public var store: any Store
    /// The webhook ingress.
    public var ingress: WebhookIngress
    /// Server logs.
    public var logger: Logger

    /// Creates the app description.
    public init(configuration: ServerConfiguration, store: any Store, ingress: WebhookIngress, logger: Logger = Logger(label: "ml-connector.server")) {
        self.configuration = configuration
        self.store = store
        self.ingress = ingress
        self.logger = logger
    }

    /// The router with every route.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: BodyLimitMiddleware(limit: configuration.limits.otherRouteBodyLimit, exempt: "/webhooks/"))
        let store = store
        let ingress = ingress
        let bodyLimit = configuration.webhookBodyLimit

        router.get("/healthz") { _, _ in
            WebhookIngress.json(.ok, ["status": "ok"])
        }
        router.get("/readyz") { _, _ -> Response in
            guard await store.ping() else {
                return WebhookIngress.json(.serviceUnavailable, ["status": "unavailable", "reason": "the store does not answer"])
            }
            guard let version = try? await store.schemaVersion(), version.database == version.known else {
                return WebhookIngress.json(.serviceUnavailable, ["status": "unavailable", "reason": "migrations are not current; run ml-connector migrate"])
            }
            return WebhookIngress.json(.ok, ["status": "ready", "schema": "\(version.database)"])
        }
        router.get("/metrics") { _, _ -> Response in
            let text = await Telemetry.render(store: store)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let bodyTimeout = configuration.limits.bodyTimeout
        router.post("/webhooks/:system/:subscription") { request, context -> Response in
            let system = try context.parameters.require("system")
            let subscription = try context.parameters.require("subscription")
            // Known systems only, before reading a byte of the body: an unknown one gets no
            // metrics series and no database read.
            guard ingress.knows(system: system) else {
                return WebhookIngress.json(.notFound, ["error": "no webhook verifier for this system"])
            }
            let body: ByteBuffer
            do {
                body = try await WebhookIngress.readBody(request.body, limit: bodyLimit, timeout: bodyTimeout)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                try await ingress.rejections.record(system: SystemKind(system), reason: .tooLarge, subscription: nil, detail: "body too large")
                return WebhookIngress.json(.contentTooLarge, ["error": "the body is larger than \(bodyLimit) bytes"])
            }
            var headers = HTTPHeaders()
            for field in request.headers { headers.add(name: field.name.rawName, value: field.value) }
            return try await ingress.handle(system: system, subscriptionID: subscription, headers: headers, body: body, query: request.uri.query)
        }
        return router
    }

    /// The Hummingbird application bound to the configured address, with the server limits:
    /// header, body and idle timeouts and a connection cap.
    public func makeApplication(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let limits = configuration.limits
        return Application(
            router: makeRouter(),
            server: .http1(configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [RequestHeadTimeout(timeout: limits.headerTimeout)],
                idleTimeout: .milliseconds(Backoff.milliseconds(limits.idleTimeout))
            )),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "ml-connector",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)
            ),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
